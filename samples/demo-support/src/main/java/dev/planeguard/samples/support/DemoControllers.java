package dev.planeguard.samples.support;

import dev.planeguard.AuditAttributes;
import dev.planeguard.annotation.MachinePlane;
import java.security.Principal;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The demos' routes that Spring MVC and WebFlux serve alike (each demo imports them and adds its
 * debug routes). None of them checks a credential: planeguard decided before they run, and they
 * only read the principal it hands on — the request's {@link Principal}, and the {@link
 * AuditAttributes} of its audit entry.
 */
@Import({
  DemoControllers.Accounts.class,
  DemoControllers.Runs.class,
  DemoControllers.Telemetry.class,
  DemoControllers.Health.class
})
public final class DemoControllers {

  private DemoControllers() {}

  /** {@code GET /api/v1/accounts/me}: who planeguard says the caller is. */
  @RestController
  public static class Accounts {
    @GetMapping("/api/v1/accounts/me")
    Map<String, Object> me(@Nullable Principal caller) {
      return DemoModel.describe(caller);
    }
  }

  /** Runs, kept in memory: machine plane; creating one needs scope {@code runs:write}. */
  @RestController
  public static class Runs {
    private final DemoModel.Runs runs = new DemoModel.Runs();

    @GetMapping("/api/v1/runs")
    Map<String, Object> list() {
      return runs.list();
    }

    @GetMapping("/api/v1/runs/{id}")
    ResponseEntity<Map<String, Object>> get(@PathVariable String id) {
      Map<String, Object> run = runs.get(id);
      return run == null
          ? ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", "no such run"))
          : ResponseEntity.ok(run);
    }

    @PostMapping("/api/v1/runs")
    ResponseEntity<Map<String, Object>> create(@Nullable Principal caller, AuditAttributes audit) {
      // Recorded in this request's audit entry (see docs/audit.md); a real service would put the
      // model, token counts and cost of the run here.
      audit.purpose("demo-run").success(true);
      String id = caller instanceof dev.planeguard.Principal p ? p.id() : null;
      return ResponseEntity.status(HttpStatus.CREATED).body(runs.create(id));
    }
  }

  /** {@code POST /api/v1/telemetry/events}: its plane is declared here, not in the policy file. */
  @RestController
  @MachinePlane
  public static class Telemetry {
    @PostMapping("/api/v1/telemetry/events")
    ResponseEntity<Map<String, Object>> accept(@RequestBody(required = false) String body) {
      return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("accepted", true));
    }
  }

  /** {@code GET /healthz}: public. */
  @RestController
  public static class Health {
    @GetMapping("/healthz")
    Map<String, Object> health() {
      return Map.of("status", "ok");
    }
  }
}
