package dev.planeguard.samples.servlet;

import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.Refusal;
import dev.planeguard.SandboxPrincipal;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The demo routes. None of them checks a credential: the filter has decided before they run, and
 * they only read the principal it hands on.
 *
 * <pre>
 * GET       /api/v1/accounts/me                              human: the caller as JSON
 * GET, POST /api/v1/runs, GET /api/v1/runs/{id}               machine (POST needs runs:write)
 * POST      /api/v1/telemetry/events                         machine
 * GET       /healthz                                          public
 * GET       /__debug/openapi_inspect, /__debug/openapi_nocache debug, human plane (404 in prod)
 * </pre>
 */
final class DemoApi {

  private DemoApi() {}

  /** Maps every route, and a default servlet so that every request passes through the filter. */
  static void register(ServletContext context) {
    context.addServlet("accounts", new Accounts()).addMapping("/api/v1/accounts/me");
    context.addServlet("runs", new Runs()).addMapping("/api/v1/runs", "/api/v1/runs/*");
    context.addServlet("telemetry", new Telemetry()).addMapping("/api/v1/telemetry/events");
    context.addServlet("health", new Health()).addMapping("/healthz");
    context
        .addServlet("debug", new Debug())
        .addMapping("/__debug/openapi_inspect", "/__debug/openapi_nocache");
    // Without a default servlet, Tomcat answers unmatched paths itself and runs no filter.
    context.addServlet("not-found", new NotFound()).addMapping("/");
  }

  static void json(HttpServletResponse response, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    response.setStatus(status);
    response.setContentType("application/json");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  /** A JSON string literal. */
  static String quote(String value) {
    StringBuilder sb = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }

  static String nullable(@Nullable String value) {
    return value == null ? "null" : quote(value);
  }

  static String array(Collection<String> values) {
    return values.stream().sorted().map(DemoApi::quote).collect(Collectors.joining(",", "[", "]"));
  }

  /** The caller as JSON; never a token or key. */
  static String describe(Principal principal) {
    if (principal instanceof HumanPrincipal h) {
      return "{\"plane\":\"human\",\"subject\":"
          + quote(h.subject())
          + ",\"issuer\":"
          + quote(h.issuer())
          + ",\"sessionId\":"
          + nullable(h.sessionId())
          + ",\"tenant\":"
          + nullable(h.tenant())
          + ",\"scopes\":"
          + array(h.scopes())
          + "}";
    }
    if (principal instanceof MachinePrincipal m) {
      return "{\"plane\":\"machine\",\"keyId\":"
          + quote(m.keyId())
          + ",\"tenant\":"
          + nullable(m.tenant())
          + ",\"scopes\":"
          + array(m.scopes())
          + "}";
    }
    SandboxPrincipal s = (SandboxPrincipal) principal;
    return "{\"plane\":\"human\",\"sandbox\":true,\"keyId\":"
        + quote(s.keyId())
        + ",\"tenant\":"
        + nullable(s.tenant())
        + ",\"scopes\":"
        + array(s.scopes())
        + "}";
  }

  /** {@code GET /api/v1/accounts/me}: who the filter says the caller is. */
  static final class Accounts extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      json(resp, 200, describe((Principal) req.getUserPrincipal()));
    }
  }

  /** Runs, kept in memory. */
  static final class Runs extends HttpServlet {
    private final Map<String, String> runs = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String id = req.getPathInfo() == null ? null : req.getPathInfo().substring(1);
      if (id == null || id.isEmpty()) {
        json(resp, 200, "{\"runs\":" + array(runs.keySet()) + "}");
      } else if (runs.containsKey(id)) {
        json(resp, 200, runs.get(id));
      } else {
        json(resp, 404, "{\"error\":\"no such run\"}");
      }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (req.getPathInfo() != null && !req.getPathInfo().equals("/")) {
        resp.sendError(405);
        return;
      }
      String id = "run-" + next.getAndIncrement();
      String run = "{\"id\":" + quote(id) + ",\"createdBy\":" + quote(req.getRemoteUser()) + "}";
      runs.put(id, run);
      json(resp, 201, run);
    }
  }

  /** {@code POST /api/v1/telemetry/events}: accepted and dropped. */
  static final class Telemetry extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      req.getInputStream().readAllBytes();
      json(resp, 202, "{\"accepted\":true}");
    }
  }

  static final class Health extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      json(resp, 200, "{\"status\":\"ok\"}");
    }
  }

  static final class Debug extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      json(
          resp,
          200,
          "{\"route\":"
              + quote(req.getServletPath())
              + ",\"routes\":"
              + array(
                  List.of(
                      "/api/v1/accounts/me",
                      "/api/v1/runs",
                      "/api/v1/telemetry/events",
                      "/healthz"))
              + "}");
    }
  }

  /** Paths the policy allows but no servlet serves: the same plain 404 as an unmapped route. */
  static final class NotFound extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      Refusal notFound = Refusal.plain(404);
      resp.setStatus(404);
      resp.setContentType(Refusal.CONTENT_TYPE);
      resp.setContentLength(notFound.contentLength());
      resp.setHeader("Cache-Control", "no-store");
      notFound.writeBody(resp.getOutputStream());
    }
  }
}
