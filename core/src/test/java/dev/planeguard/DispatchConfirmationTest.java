package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row 18: after an allow, the handler the framework chose must be one the applied rule covers. Real
 * machine keys in a real key file; the coverage is computed from handler descriptions as an adapter
 * gives them.
 */
class DispatchConfirmationTest {

  static final String POLICY =
      """
      public  /feedback  methods=POST
      machine /feedback  methods=DELETE
      public  /docs/*    methods=GET  carve-out=yes
      machine /docs/**   methods=GET
      """;

  @TempDir Path dir;
  KeyFile keys;
  String key;
  final List<AuditEvent> audit = new ArrayList<>();
  Enforcer enforcer;
  RouteCoverage coverage;

  static RouteCoverage.Handler handler(String origin, String method, String pattern) {
    return new RouteCoverage.Handler(
        origin,
        List.of(new RouteCoverage.PathMapping(pattern, pattern, false)),
        Set.of(method),
        Optional.empty(),
        false);
  }

  @BeforeEach
  void start() {
    keys = KeyFile.openOrCreate(dir.resolve("keys.jsonl"));
    ApiKey generated = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    keys.add(KeyRecord.of(generated, null, Set.of(), null));
    key = generated.value();
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
            .policy(Policy.parse(POLICY, "p.policy"))
            .machineKeyVerifier(KeyVerifier.of(keys))
            .auditSink(audit::add)
            .build();
    coverage =
        RouteCoverage.of(
            enforcer.policy(),
            List.of(
                handler("Feedback#post", "POST", "/feedback"),
                handler("Feedback#delete", "DELETE", "/feedback"),
                handler("Docs#page", "GET", "/docs/*"),
                new RouteCoverage.Handler(
                    "Docs#all",
                    List.of(new RouteCoverage.PathMapping("/docs/**", "/docs/**", false)),
                    Set.of("GET"),
                    Optional.of(
                        new RouteDeclarations.Declared(Access.MACHINE, Plane.MACHINE, Set.of())),
                    false)));
  }

  @AfterEach
  void stop() {
    keys.close();
  }

  RouteCoverage.Entry entry(int i) {
    return coverage.entry(i);
  }

  static InboundRequest request(String method, String target, String... keyHeader) {
    return InboundRequest.of(
        method, target, keyHeader.length == 0 ? Map.of() : Map.of("X-AOS-Key", List.of(keyHeader)));
  }

  @Test
  void aCoveredHandlerRunsWithTheDecisionMadeAtTheEdge() {
    InboundRequest post = request("POST", "/feedback");
    Decision admitted = enforcer.decide(post);
    assertThat(enforcer.confirm(post, admitted, entry(0))).isSameAs(admitted);
    assertThat(audit).hasSize(1);

    InboundRequest delete = request("DELETE", "/feedback", key);
    Decision authenticated = enforcer.decide(delete);
    assertThat(authenticated.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(enforcer.confirm(delete, authenticated, entry(1))).isSameAs(authenticated);
  }

  @Test
  void aHandlerTheRuleDoesNotCoverIsRefusedAs404AndAudited() {
    // GET /docs/123 is decided by "public /docs/*"; a framework whose pattern for that handler
    // did not take "123" hands it to the catch-all instead.
    InboundRequest get = request("GET", "/docs/123");
    Decision admitted = enforcer.decide(get);
    assertThat(admitted.reason()).isEqualTo(Reason.PUBLIC);

    Decision confirmed = enforcer.confirm(get, admitted, entry(3));
    assertThat(confirmed.allowed()).isFalse();
    assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(confirmed.status()).isEqualTo(404);
    assertThat(confirmed.violation()).isTrue();
    assertThat(confirmed.principal()).isNull();
    assertThat(Refusal.of(confirmed, "api", "X-AOS-Key").body())
        .isEqualTo(Refusal.plain(404).body());

    assertThat(audit).hasSize(2);
    AuditEvent event = audit.get(1);
    assertThat(event.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(event.allowed()).isFalse();
    assertThat(event.violation()).isTrue();
    assertThat(event.route()).isEqualTo("/docs/*");
    assertThat(event.method()).isEqualTo("GET");
  }

  @Test
  void aMethodOverrideIsDecidedAgainOnTheMethodTheFrameworkServes() {
    Decision admitted = enforcer.decide(request("POST", "/feedback?_method=DELETE"));
    assertThat(admitted.reason()).isEqualTo(Reason.PUBLIC);

    // No credential: the DELETE handler's own rule refuses it, as it would have at the edge.
    Decision refused =
        enforcer.confirm(request("DELETE", "/feedback?_method=DELETE"), admitted, entry(1));
    assertThat(refused.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertThat(refused.plane()).isEqualTo(Plane.MACHINE);
    assertThat(audit)
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.PUBLIC, Reason.MISSING_CREDENTIAL);
  }

  @Test
  void anOverrideThatNeedsAnotherCallerThanTheOneAdmittedIsRefused() {
    // Admitted as public with no caller; the DELETE would run with a caller the request the
    // application already holds does not carry.
    Decision admitted = enforcer.decide(request("POST", "/feedback", key));
    Decision confirmed = enforcer.confirm(request("DELETE", "/feedback", key), admitted, entry(1));
    assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    // No allow is recorded for the DELETE that never ran.
    assertThat(audit)
        .extracting(AuditEvent::method, AuditEvent::reason, AuditEvent::allowed)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", Reason.PUBLIC, true),
            org.assertj.core.groups.Tuple.tuple("DELETE", Reason.DISPATCH_MISMATCH, false));
  }

  @Test
  void aRequestDecidedAgainAndAllowedIsAuditedOnce() {
    Decision confirmed = enforcer.confirm(request("DELETE", "/feedback", key), null, entry(1));
    assertThat(confirmed.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(audit).extracting(AuditEvent::reason).containsExactly(Reason.AUTHENTICATED);
    Decision refused = enforcer.confirm(request("GET", "/docs/x/y", key), null, entry(2));
    assertThat(refused.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(audit)
        .extracting(AuditEvent::reason)
        .containsExactly(Reason.AUTHENTICATED, Reason.DISPATCH_MISMATCH);
  }

  @Test
  void withoutADecisionAtTheEdgeTheRequestIsDecidedNow() {
    Decision now = enforcer.confirm(request("GET", "/docs/a/b"), null, entry(3));
    assertThat(now.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    Decision allowed = enforcer.confirm(request("GET", "/docs/a/b", key), null, entry(3));
    assertThat(allowed.reason()).isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void aDecisionForAnotherPathIsNotReused() {
    Decision admitted = enforcer.decide(request("GET", "/docs/a"));
    Decision confirmed = enforcer.confirm(request("GET", "/docs/a/b"), admitted, entry(3));
    assertThat(confirmed.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
  }

  @Test
  void coverageOfAnotherPolicyConfirmsNothing() {
    RouteCoverage other =
        RouteCoverage.of(
            Policy.parse(POLICY, "p.policy"),
            List.of(handler("Feedback#post", "POST", "/feedback")));
    InboundRequest post = request("POST", "/feedback");
    Decision admitted = enforcer.decide(post);
    assertThat(enforcer.confirm(post, admitted, other.entry(0)).reason())
        .isEqualTo(Reason.DISPATCH_MISMATCH);
  }

  @Test
  void aPathHandlerRunsUnderAnyFileRuleAndAnUnknownHandlerUnderNone() {
    InboundRequest get = request("GET", "/docs/123");
    Decision admitted = enforcer.decide(get);
    assertThat(enforcer.confirm(get, admitted, coverage.pathHandler())).isSameAs(admitted);
    assertThat(enforcer.confirm(get, admitted, coverage.unknown()).reason())
        .isEqualTo(Reason.DISPATCH_MISMATCH);
  }
}
