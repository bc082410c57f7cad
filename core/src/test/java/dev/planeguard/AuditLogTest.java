package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The default audit sink writes to SLF4J logger planeguard.audit at the documented levels. */
public class AuditLogTest {

  @Test
  void violationsAreWarnDenialsInfoAndAllowsInfoInProd() {
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(EnforcerTest.UNREACHABLE_KEYS)
            .build();
    String log =
        captureStderr(
            () -> {
              enforcer.decide(
                  InboundRequest.of(
                      "GET", "/api/v1/accounts/me", Map.of("X-AOS-Key", List.of(key))));
              enforcer.decide(InboundRequest.of("GET", "/nope", Map.of()));
              enforcer.decide(InboundRequest.of("GET", "/healthz", Map.of()));
            });
    List<String> lines = log.lines().filter(l -> l.contains("planeguard.audit")).toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0))
        .contains("WARN planeguard.audit")
        .contains("decision=deny reason=CROSS_PLANE_CREDENTIAL")
        .contains("violation=true")
        .contains("carriers=X-AOS-Key")
        .contains("route=\"/api/v1/accounts/**\"");
    assertThat(lines.get(1))
        .contains("INFO planeguard.audit")
        .contains("reason=UNMAPPED_ROUTE")
        .contains("violation=false");
    assertThat(lines.get(2))
        .contains("INFO planeguard.audit")
        .contains("decision=allow reason=PUBLIC");
    assertThat(log).doesNotContain(key);
  }

  @Test
  void allowsAreDebugInLocalAndTest() {
    Enforcer enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local")))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(EnforcerTest.UNREACHABLE_KEYS)
            .build();
    String log =
        captureStderr(() -> enforcer.decide(InboundRequest.of("GET", "/healthz", Map.of())));
    assertThat(log).doesNotContain("planeguard.audit");
  }

  public static String captureStderr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
