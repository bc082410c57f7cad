package dev.planeguard.samples.jaxrs;

import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.annotation.MachinePlane;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The demo routes, the same as the Spring Boot demo's. None of them checks a credential: planeguard
 * decided before they run, and they only read the principal it hands on.
 */
final class DemoResources {

  private DemoResources() {}

  static Set<Class<?>> classes() {
    return Set.of(Accounts.class, Runs.class, Telemetry.class, Health.class, Debug.class);
  }

  /** A JSON string literal. */
  static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  static String nullable(@Nullable String value) {
    return value == null ? "null" : quote(value);
  }

  static String array(Collection<String> values) {
    return values.stream()
        .sorted()
        .map(DemoResources::quote)
        .collect(Collectors.joining(",", "[", "]"));
  }

  /** The caller as JSON; never a token or key. */
  static String describe(SecurityContext security) {
    if (!(security.getUserPrincipal() instanceof Principal principal)) {
      return "{\"plane\":\"none\"}";
    }
    String who;
    if (principal instanceof HumanPrincipal h) {
      who =
          "\"plane\":\"human\",\"subject\":"
              + quote(h.subject())
              + ",\"issuer\":"
              + quote(h.issuer());
    } else if (principal instanceof MachinePrincipal m) {
      who = "\"plane\":\"machine\",\"keyId\":" + quote(m.keyId());
    } else {
      who =
          "\"plane\":\"human\",\"sandbox\":true,\"keyId\":"
              + quote(((SandboxPrincipal) principal).keyId());
    }
    return "{"
        + who
        + ",\"tenant\":"
        + nullable(principal.tenant())
        + ",\"scopes\":"
        + array(principal.scopes())
        + "}";
  }

  /** {@code GET /api/v1/accounts/me}: who planeguard says the caller is. */
  @Path("/api/v1/accounts/me")
  public static class Accounts {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String me(@Context SecurityContext security) {
      return describe(security);
    }
  }

  /** Runs, kept in memory: machine plane; creating one needs scope {@code runs:write}. */
  @Path("/api/v1/runs")
  @Produces(MediaType.APPLICATION_JSON)
  public static class Runs {
    private static final Map<String, String> RUNS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    @GET
    public String list() {
      return "{\"runs\":" + array(RUNS.keySet()) + "}";
    }

    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
      String run = RUNS.get(id);
      return run == null
          ? Response.status(404).entity("{\"error\":\"no such run\"}").build()
          : Response.ok(run).build();
    }

    @POST
    public Response create(@Context SecurityContext security) {
      String id = "run-" + NEXT.getAndIncrement();
      String run =
          "{\"id\":"
              + quote(id)
              + ",\"createdBy\":"
              + quote(security.getUserPrincipal().getName())
              + "}";
      RUNS.put(id, run);
      return Response.status(201).entity(run).build();
    }
  }

  /** {@code POST /api/v1/telemetry/events}: its plane is declared here, not in the policy file. */
  @Path("/api/v1/telemetry/events")
  @MachinePlane
  public static class Telemetry {
    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response accept(String body) {
      return Response.status(202).entity("{\"accepted\":true}").build();
    }
  }

  /** {@code GET /healthz}: public. */
  @Path("/healthz")
  public static class Health {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String health() {
      return "{\"status\":\"ok\"}";
    }
  }

  /** Debug routes: human plane, 404 in prod. */
  @Path("/__debug")
  public static class Debug {
    @GET
    @Path("{page: openapi_inspect|openapi_nocache}")
    @Produces(MediaType.APPLICATION_JSON)
    public String inspect(@Context UriInfo uri) {
      return "{\"route\":"
          + quote("/" + uri.getPath().replaceFirst("^/", ""))
          + ",\"routes\":"
          + array(
              Set.of("/api/v1/accounts/me", "/api/v1/runs", "/api/v1/telemetry/events", "/healthz"))
          + "}";
    }
  }
}
