package dev.planeguard.samples.support;

import dev.planeguard.HumanPrincipal;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/** What the demos' routes answer, whichever web framework serves them. */
public final class DemoModel {

  /** The routes {@code /__debug/openapi_inspect} lists. */
  public static final List<String> ROUTES =
      List.of("/api/v1/accounts/me", "/api/v1/runs", "/api/v1/telemetry/events", "/healthz");

  private DemoModel() {}

  /**
   * The caller as JSON; never a token or key. Without a planeguard principal — only when the demo
   * runs without planeguard, which {@link SpringDemo} allows in local mode alone, for the
   * end-to-end benchmark — just {@code {"plane":"none"}}: no caller is made up.
   */
  public static Map<String, Object> describe(java.security.@Nullable Principal caller) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (!(caller instanceof Principal principal)) {
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

  /** Runs, kept in memory. */
  public static final class Runs {
    private final Map<String, Map<String, Object>> runs = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger(1);

    /** {@code {"runs":[ids]}}. */
    public Map<String, Object> list() {
      return Map.of("runs", List.copyOf(new TreeSet<>(runs.keySet())));
    }

    /** The run, or null when there is none of that id. */
    public @Nullable Map<String, Object> get(String id) {
      return runs.get(id);
    }

    /**
     * A new run.
     *
     * @param caller the principal's id; null only without planeguard
     */
    public Map<String, Object> create(@Nullable String caller) {
      String id = "run-" + next.getAndIncrement();
      Map<String, Object> run =
          caller == null ? Map.of("id", id) : Map.of("id", id, "createdBy", caller);
      runs.put(id, run);
      return run;
    }
  }
}
