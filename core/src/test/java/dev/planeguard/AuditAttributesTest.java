package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.FakeSecrets;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An allow admitted for a request is recorded when its response is complete, with the status, the
 * time the application took and the attributes its handler set; attributes are bounded and never a
 * credential.
 */
class AuditAttributesTest {

  @TempDir Path dir;

  private static final ApiKey KEY = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);

  private final List<AuditEvent> events = new ArrayList<>();

  private Enforcer enforcer(AuditLedger ledger) {
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(KEY, "acme", Set.of("runs:write"), null));
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(EnforcerTest.POLICY)
        .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
        .machineKeyVerifier(KeyVerifier.of(keys))
        .auditSink(events::add)
        .auditLedger(ledger)
        .build();
  }

  private static InboundRequest keyed(String method, String path) {
    return InboundRequest.of(method, path, Map.of("X-AOS-Key", List.of(KEY.value())));
  }

  @Test
  void anAdmittedAllowIsRecordedOnceWhenFinishedWithWhatTheHandlerSet() throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).open()) {
      Enforcer enforcer = enforcer(ledger);
      Decision allowed = enforcer.admit(keyed("POST", "/api/v1/runs"));
      assertThat(allowed.reason()).isEqualTo(Reason.AUTHENTICATED);
      assertThat(events).isEmpty();

      AuditAttributes attributes = allowed.auditAttributes();
      assertThat(attributes).isNotNull();
      attributes
          .purpose("summarize")
          .model("claude-sonnet")
          .inputTokens(1200)
          .outputTokens(310)
          .costCents(2)
          .success(true)
          .put("region", "eu-west");
      enforcer.finish(allowed, 201);
      enforcer.finish(allowed, 500);

      // A refusal is recorded at once and has no attributes.
      Decision refused = enforcer.admit(InboundRequest.of("POST", "/api/v1/runs", Map.of()));
      assertThat(refused.auditAttributes()).isNull();
      enforcer.finish(refused, 401);
    }
    assertThat(events).hasSize(2);
    AuditEvent allow = events.get(0);
    assertThat(allow.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(allow.responseStatus()).isEqualTo(201);
    assertThat(allow.handlingNanos()).isNotNegative();
    assertThat(allow.attributes())
        .containsExactly(
            Map.entry("purpose", "summarize"),
            Map.entry("model", "claude-sonnet"),
            Map.entry("input_tokens", 1200L),
            Map.entry("output_tokens", 310L),
            Map.entry("cost_cents", 2L),
            Map.entry("success", true),
            Map.entry("region", "eu-west"));
    assertThat(events.get(1).reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertThat(events.get(1).responseStatus()).isZero();

    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(file, entries::add);
    assertThat(entries).hasSize(2);
    assertThat(entries.get(0).line())
        .contains(
            "\"status\":201,\"handling_us\":",
            ",\"attributes\":{\"purpose\":\"summarize\",\"model\":\"claude-sonnet\","
                + "\"input_tokens\":1200,\"output_tokens\":310,\"cost_cents\":2,\"success\":true,"
                + "\"region\":\"eu-west\"}}");
    assertThat(AuditLedger.verify(file).intact()).isTrue();
  }

  @Test
  void decideRecordsAtOnceAndHasNoAttributes() throws IOException {
    try (AuditLedger ledger = AuditLedger.file(dir.resolve("l.jsonl")).open()) {
      Decision d = enforcer(ledger).decide(keyed("GET", "/api/v1/runs"));
      assertThat(d.allowed()).isTrue();
      assertThat(d.auditAttributes()).isNull();
      assertThat(events).hasSize(1);
    }
  }

  @Test
  void aHandlerRefusedAtDispatchLeavesTheRefusalAsTheRecordAndItsPlaceInTheLedger()
      throws IOException {
    Path file = dir.resolve("ledger.jsonl");
    try (AuditLedger ledger = AuditLedger.file(file).queueCapacity(1000).open()) {
      Enforcer enforcer = enforcer(ledger);
      RouteCoverage coverage =
          RouteCoverage.of(
              enforcer.policy(),
              List.of(
                  new RouteCoverage.Handler(
                      "HumanOnly#runs",
                      List.of(new RouteCoverage.PathMapping("/api/v1/runs", "/api/v1/runs", false)),
                      Set.of("GET"),
                      Optional.of(
                          new RouteDeclarations.Declared(Access.HUMAN, Plane.HUMAN, Set.of())),
                      false)));
      RouteCoverage.Entry humanHandler = coverage.entry(0);
      // More refusals at dispatch than the queue holds: each admitted allow gives its place back.
      for (int i = 0; i < 1500; i++) {
        InboundRequest request = keyed("GET", "/api/v1/runs");
        Decision admitted = enforcer.admit(request);
        Decision confirmed = enforcer.confirm(request, admitted, humanHandler);
        assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
        enforcer.finish(admitted, 404);
        if (i % 500 == 499) {
          assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
        }
      }
      assertThat(ledger.accepting()).isTrue();
    }
    assertThat(events).extracting(AuditEvent::reason).containsOnly(Reason.DISPATCH_MISMATCH);
    assertThat(events).hasSize(1500);
  }

  @Test
  void attributesAreBoundedAndNeverACredential() {
    AuditAttributes a = new AuditAttributes();
    String key = FakeSecrets.machineKey(Mode.PROD);
    assertThatThrownBy(() -> a.put("note", "key " + key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("audit attribute note looks like a key or token and is not recorded");
    assertThatThrownBy(() -> a.purpose(FakeSecrets.anthropicKey()))
        .hasMessageContaining("looks like a key or token")
        .hasMessageNotContaining("sk-ant");
    assertThatThrownBy(() -> a.put("Bad-Name", "x"))
        .hasMessageContaining("names are 1 to 32 characters [a-z][a-z0-9_]*")
        .hasMessageContaining("\"Bad-Name\"");
    assertThatThrownBy(() -> a.put("x", "y".repeat(257)))
        .hasMessage("audit attribute x is 257 characters long; at most 256 are recorded");
    for (int i = 0; i < AuditAttributes.MAX_ATTRIBUTES; i++) {
      a.put("n" + i, i);
    }
    a.put("n3", 33); // replacing one is not one more
    assertThatThrownBy(() -> a.put("one_more", 1))
        .hasMessage("a request records at most 16 audit attributes; one_more is one more");
    assertThat(a.asMap()).hasSize(16).containsEntry("n3", 33L);
    assertThat(a.toString()).doesNotContain("33");
  }
}
