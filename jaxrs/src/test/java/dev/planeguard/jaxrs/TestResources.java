package dev.planeguard.jaxrs;

import dev.planeguard.Principal;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.PublicRoute;
import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.MessageBodyWriter;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/** The test application's resources and providers; every resource method records a hit. */
final class TestResources {

  private TestResources() {}

  /** What a resource method saw of the caller. */
  record Hit(
      String resource,
      String user,
      String scheme,
      boolean secure,
      List<String> roles,
      String principalProperty) {}

  static final List<Hit> HITS = Collections.synchronizedList(new ArrayList<>());

  /** The principal property the application's post-matching filter saw, for the current request. */
  static final ThreadLocal<Object> PROPERTY = new ThreadLocal<>();

  static final List<String> ROLES = List.of("runs:write", "admin", "**");

  static String hit(String name, SecurityContext security) {
    java.security.Principal p = security == null ? null : security.getUserPrincipal();
    List<String> roles = new ArrayList<>();
    if (p != null) {
      for (String r : ROLES) {
        if (security.isUserInRole(r)) {
          roles.add(r);
        }
      }
    }
    Object property = PROPERTY.get();
    HITS.add(
        new Hit(
            name,
            p == null ? "null" : p.getName(),
            p == null ? "null" : String.valueOf(security.getAuthenticationScheme()),
            security != null && security.isSecure(),
            roles,
            property instanceof Principal pp ? pp.id() : "null"));
    return name;
  }

  static Set<Class<?>> classes() {
    return Set.of(
        Health.class,
        Accounts.class,
        Admin.class,
        Runs.class,
        Docs.class,
        Open.class,
        Failing.class,
        AppFilter.class,
        MethodOverride.class,
        AppResponseFilter.class,
        AppWriter.class,
        AppMapper.class);
  }

  @Path("/healthz")
  public static class Health {
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public String get(@Context SecurityContext s) {
      return hit("health", s);
    }
  }

  @Path("/api/v1/accounts/{id}")
  public static class Accounts {
    @GET
    public String get(@PathParam("id") String id, @Context SecurityContext s) {
      return hit("accounts", s);
    }
  }

  /** Declared here, not in the policy file: human, and the role admin is a required scope. */
  @Path("/api/v1/admin")
  @HumanPlane
  public static class Admin {
    @GET
    @Path("{id}")
    @RolesAllowed("admin")
    public String get(@Context SecurityContext s) {
      return hit("admin", s);
    }
  }

  @Path("/api/v1/runs")
  public static class Runs {
    @GET
    public String list(@Context SecurityContext s) {
      return hit("runs", s);
    }

    @POST
    public String create(@Context SecurityContext s) {
      return hit("create", s);
    }

    @GET
    @Path("{id: [0-9]+}")
    public String get(@Context SecurityContext s) {
      return hit("run", s);
    }

    /** Never answered: 404 like an unmapped route. */
    @DELETE
    @Path("purge")
    @DenyAll
    public String purge(@Context SecurityContext s) {
      return hit("purge", s);
    }

    /** A sub-resource locator: its steps are machine routes like the runs. */
    @Path("{id: [0-9]+}/steps")
    public Steps steps() {
      return new Steps();
    }
  }

  public static class Steps {
    @GET
    public String list(@Context SecurityContext s) {
      return hit("steps", s);
    }
  }

  /**
   * Dispatch parity: the public page's regular expression reads as {@code /app/docs/*}, which also
   * matches the numbered documents the runtime sends to {@link #numbered}; those must not run under
   * the public rule.
   */
  @Path("/app/docs")
  public static class Docs {
    @GET
    @Path("{page: [a-z]+}")
    @PublicRoute(carveOut = true)
    public String page(@Context SecurityContext s) {
      return hit("page", s);
    }

    @GET
    @Path("{number: [0-9]+}")
    public String numbered(@Context SecurityContext s) {
      return hit("numbered", s);
    }
  }

  @Path("/open")
  @PermitAll
  public static class Open {
    @GET
    public String get(@Context SecurityContext s) {
      return hit("open", s);
    }
  }

  @Path("/api/v1/runs/failing")
  public static class Failing {
    @GET
    public String get(@Context SecurityContext s) {
      hit("failing", s);
      throw new IllegalStateException("the resource failed");
    }
  }

  /**
   * A method override after planeguard's decision, as Jersey's {@code HttpMethodOverrideFilter}
   * does: {@code POST ...?_method=DELETE} is served as {@code DELETE}.
   */
  @jakarta.ws.rs.container.PreMatching
  public static class MethodOverride implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      String override = request.getUriInfo().getQueryParameters().getFirst("_method");
      if (request.getMethod().equals("POST") && override != null) {
        request.setMethod(override);
      }
    }
  }

  /** An application filter after planeguard's: it reads the principal property. */
  public static class AppFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      PROPERTY.set(request.getProperty(PlaneGuardFeature.PRINCIPAL_PROPERTY));
    }
  }

  /** An application response filter that rewrites every error and tags every response. */
  public static class AppResponseFilter implements ContainerResponseFilter {
    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
      PROPERTY.remove();
      response.getHeaders().putSingle("X-App", "seen");
      if (response.getStatus() >= 400 && response.getStatus() != 500) {
        response.setStatus(200);
        response.getHeaders().putSingle("Cache-Control", "public, max-age=60");
        response.getHeaders().remove("WWW-Authenticate");
        response.setEntity("rewritten", new Annotation[0], MediaType.TEXT_PLAIN_TYPE);
      }
    }
  }

  /** An application writer for every entity but strings: it must never write a refusal. */
  @Produces("*/*")
  public static class AppWriter implements MessageBodyWriter<Object> {
    @Override
    public boolean isWriteable(Class<?> t, Type g, Annotation[] a, MediaType m) {
      return t != String.class;
    }

    @Override
    public void writeTo(
        Object o,
        Class<?> t,
        Type g,
        Annotation[] a,
        MediaType m,
        MultivaluedMap<String, Object> h,
        OutputStream out)
        throws java.io.IOException {
      out.write("hijacked".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /** Maps every exception to 500 text, so that response filters (and the audit) see it. */
  public static class AppMapper implements ExceptionMapper<RuntimeException> {
    @Override
    public Response toResponse(RuntimeException e) {
      if (e instanceof WebApplicationException w) {
        return w.getResponse();
      }
      return Response.status(500).entity("failed").type(MediaType.TEXT_PLAIN_TYPE).build();
    }
  }
}
