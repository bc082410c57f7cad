package dev.planeguard.samples.boot;

import dev.planeguard.AuditAttributes;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.annotation.MachinePlane;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demo routes. None of them checks a credential: planeguard decided before they run, and they
 * only read the principal it hands on.
 */
final class DemoApi {

  private DemoApi() {}

  /**
   * The caller as JSON; never a token or key. Without a principal — only when the demo runs without
   * planeguard, which {@link DemoApplication} allows in local mode alone, for the end-to-end
   * benchmark — just {@code {"plane":"none"}}: no caller is made up.
   */
  static Map<String, Object> describe(HttpServletRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (!(request.getUserPrincipal() instanceof Principal principal)) {
      body.put("plane", "none");
      return body;
    }
    if (principal instanceof HumanPrincipal h) {
      body.put("plane", "human");
      body.put("subject", h.subject());
      body.put("issuer", h.issuer());
    } else if (principal instanceof MachinePrincipal m) {
      body.put("plane", "machine");
      body.put("keyId", m.keyId());
    } else if (principal instanceof SandboxPrincipal s) {
      body.put("plane", "human");
      body.put("sandbox", true);
      body.put("keyId", s.keyId());
    }
    body.put("tenant", principal.tenant());
    body.put("scopes", List.copyOf(new TreeSet<>(principal.scopes())));
    return body;
  }

  /** {@code GET /api/v1/accounts/me}: who planeguard says the caller is. */
  @RestController
  static class Accounts {
    @GetMapping("/api/v1/accounts/me")
    Map<String, Object> me(HttpServletRequest request) {
      return describe(request);
    }
  }

  /** Runs, kept in memory: machine plane; creating one needs scope {@code runs:write}. */
  @RestController
  static class Runs {
    private final Map<String, Map<String, Object>> runs = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);

    @GetMapping("/api/v1/runs")
    Map<String, Object> list() {
      return Map.of("runs", List.copyOf(new TreeSet<>(runs.keySet())));
    }

    @GetMapping("/api/v1/runs/{id}")
    ResponseEntity<Map<String, Object>> get(@PathVariable String id) {
      Map<String, Object> run = runs.get(id);
      return run == null
          ? ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no such run"))
          : ResponseEntity.ok(run);
    }

    @PostMapping("/api/v1/runs")
    ResponseEntity<Map<String, Object>> create(HttpServletRequest request, AuditAttributes audit) {
      String id = "run-" + next.getAndIncrement();
      // Recorded in this request's audit entry (see docs/audit.md); a real service would put the
      // model, token counts and cost of the run here.
      audit.purpose("demo-run").success(true);
      String caller = request.getRemoteUser();
      Map<String, Object> run =
          caller == null ? Map.of("id", id) : Map.of("id", id, "createdBy", caller);
      runs.put(id, run);
      return ResponseEntity.status(HttpStatus.CREATED).body(run);
    }
  }

  /** {@code POST /api/v1/telemetry/events}: its plane is declared here, not in the policy file. */
  @RestController
  @MachinePlane
  static class Telemetry {
    @PostMapping("/api/v1/telemetry/events")
    ResponseEntity<Map<String, Object>> accept(@RequestBody(required = false) String body) {
      return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("accepted", true));
    }
  }

  /** {@code GET /healthz}: public. */
  @RestController
  static class Health {
    @GetMapping("/healthz")
    Map<String, Object> health() {
      return Map.of("status", "ok");
    }
  }

  /** Debug routes: human plane, 404 in prod. */
  @RestController
  static class Debug {
    @GetMapping({"/__debug/openapi_inspect", "/__debug/openapi_nocache"})
    Map<String, Object> inspect(HttpServletRequest request) {
      return Map.of(
          "route",
          request.getServletPath(),
          "routes",
          List.of("/api/v1/accounts/me", "/api/v1/runs", "/api/v1/telemetry/events", "/healthz"));
    }
  }
}
