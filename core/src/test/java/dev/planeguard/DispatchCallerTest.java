package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row 18 ({@link Enforcer#confirm}) with callers under the test's control: a request decided again
 * must name the same caller (same kind of principal, id and tenant) as the decision made at the
 * edge; a refusal is never reused; the audit event of a mismatch names the carriers the request
 * presented; and an error while confirming refuses the dispatch.
 */
class DispatchCallerTest {

  static final String POLICY =
      """
      public  /feedback  methods=POST,PUT
      machine /feedback  methods=DELETE
      human   /profile
      machine /items/*   methods=GET,POST
      """;

  static final Map<String, Principal> HUMANS =
      Map.of(
          "alice", new HumanPrincipal("u1", "https://issuer", null, null, Set.of(), Map.of()),
          "alice-acme",
              new HumanPrincipal("u1", "https://issuer", null, "acme", Set.of(), Map.of()));

  static final Map<String, Principal> MACHINES =
      Map.of(
          "k1", new MachinePrincipal("k1", null, Set.of()),
          "k1-acme", new MachinePrincipal("k1", "acme", Set.of()),
          "k2", new MachinePrincipal("k2", null, Set.of()));

  static final Map<String, Principal> SANDBOX =
      Map.of("sk-u1", new SandboxPrincipal("u1", null, Set.of()));

  final List<AuditEvent> audit = new ArrayList<>();
  Enforcer enforcer;
  RouteCoverage coverage;

  /** Verifies by table lookup, answering a new (equal) principal each time. */
  static Verification lookUp(Map<String, Principal> table, String credential) {
    Principal p = table.get(credential);
    if (p == null) {
      return Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID);
    }
    Principal copy;
    if (p instanceof HumanPrincipal h) {
      copy = new HumanPrincipal(h.subject(), h.issuer(), null, h.tenant(), Set.of(), Map.of());
    } else if (p instanceof MachinePrincipal m) {
      copy = new MachinePrincipal(m.keyId(), m.tenant(), Set.of());
    } else {
      SandboxPrincipal s = (SandboxPrincipal) p;
      copy = new SandboxPrincipal(s.keyId(), s.tenant(), Set.of());
    }
    return new Verification.Verified(copy);
  }

  static RouteCoverage.Handler handler(String method, String pattern) {
    return new RouteCoverage.Handler(
        method + " " + pattern,
        List.of(new RouteCoverage.PathMapping(pattern, pattern, false)),
        Set.of(method),
        Optional.empty(),
        false);
  }

  static final List<RouteCoverage.Handler> HANDLERS =
      List.of(
          handler("GET", "/profile"),
          handler("POST", "/profile"),
          handler("GET", "/items/*"),
          handler("POST", "/items/*"),
          handler("POST", "/feedback"),
          handler("PUT", "/feedback"),
          handler("DELETE", "/feedback"));

  static final int GET_PROFILE = 0;
  static final int GET_ITEM = 2;
  static final int POST_FEEDBACK = 4;
  static final int PUT_FEEDBACK = 5;
  static final int DELETE_FEEDBACK = 6;

  @BeforeEach
  void start() {
    enforcer =
        Enforcer.builder()
            .contract(Contract.parse(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local")))
            .policy(Policy.parse(POLICY, "p.policy"))
            .tokenVerifier(token -> lookUp(HUMANS, token))
            .machineKeyVerifier((key, kind, mode) -> lookUp(MACHINES, key))
            .sandboxKeyVerifier((key, kind, mode) -> lookUp(SANDBOX, key))
            .auditSink(audit::add)
            .build();
    coverage = RouteCoverage.of(enforcer.policy(), HANDLERS);
  }

  static InboundRequest request(String method, String target, String... headers) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String h : headers) {
      int colon = h.indexOf(':');
      map.computeIfAbsent(h.substring(0, colon), k -> new ArrayList<>())
          .add(h.substring(colon + 1).strip());
    }
    return InboundRequest.of(method, target, map);
  }

  Decision decided(InboundRequest request, Reason expected) {
    Decision d = enforcer.decide(request);
    assertThat(d.reason()).as("decision at the edge").isEqualTo(expected);
    return d;
  }

  @Test
  void anOverrideBetweenTwoPublicRulesKeepsTheAnonymousCaller() {
    Decision admitted = decided(request("POST", "/feedback"), Reason.PUBLIC);
    Decision confirmed =
        enforcer.confirm(request("PUT", "/feedback"), admitted, coverage.entry(PUT_FEEDBACK));
    assertThat(confirmed.reason()).isEqualTo(Reason.PUBLIC);
    assertThat(confirmed.allowed()).isTrue();
    assertThat(audit)
        .extracting(AuditEvent::method, AuditEvent::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", Reason.PUBLIC),
            org.assertj.core.groups.Tuple.tuple("PUT", Reason.PUBLIC));
  }

  @Test
  void anOverrideKeepsAnEqualCallerEvenAsAnotherInstance() {
    Decision admitted = decided(request("POST", "/items/1", "X-AOS-Key: k1"), Reason.AUTHENTICATED);
    Decision confirmed =
        enforcer.confirm(
            request("GET", "/items/1", "X-AOS-Key: k1"), admitted, coverage.entry(GET_ITEM));
    assertThat(confirmed.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(confirmed.principal())
        .isEqualTo(admitted.principal())
        .isNotSameAs(admitted.principal());
  }

  @Test
  void anOverrideToAnotherCallerIsAMismatch() {
    Decision admitted = decided(request("POST", "/items/1", "X-AOS-Key: k1"), Reason.AUTHENTICATED);
    for (String other : List.of("k2", "k1-acme")) {
      Decision confirmed =
          enforcer.confirm(
              request("GET", "/items/1", "X-AOS-Key: " + other),
              admitted,
              coverage.entry(GET_ITEM));
      assertThat(confirmed.reason()).as(other).isEqualTo(Reason.DISPATCH_MISMATCH);
      assertThat(confirmed.principal()).isNull();
    }
    // The same id as another kind of principal (a sandbox key named like a user) is another caller.
    Decision human =
        decided(request("POST", "/profile", "Authorization: Bearer alice"), Reason.AUTHENTICATED);
    Decision sandbox =
        enforcer.confirm(
            request("GET", "/profile", "X-AOS-Customer-Key: sk-u1"),
            human,
            coverage.entry(GET_PROFILE));
    assertThat(sandbox.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    Decision tenant =
        enforcer.confirm(
            request("GET", "/profile", "Authorization: Bearer alice-acme"),
            human,
            coverage.entry(GET_PROFILE));
    assertThat(tenant.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    Decision same =
        enforcer.confirm(
            request("GET", "/profile", "Authorization: Bearer alice"),
            human,
            coverage.entry(GET_PROFILE));
    assertThat(same.reason()).isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void anOverrideBetweenAnAnonymousAndAnAuthenticatedRuleIsAMismatchUnderTheNewRule() {
    Rule publicFeedback = enforcer.policy().match("POST", "/feedback");
    Rule machineFeedback = enforcer.policy().match("DELETE", "/feedback");

    // Admitted without a caller; the framework would run a handler that needs one.
    Decision anonymous = decided(request("POST", "/feedback", "X-AOS-Key: k1"), Reason.PUBLIC);
    Decision toMachine =
        enforcer.confirm(
            request("DELETE", "/feedback", "X-AOS-Key: k1"),
            anonymous,
            coverage.entry(DELETE_FEEDBACK));
    assertThat(toMachine.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(toMachine.rule()).isSameAs(machineFeedback);

    // Admitted with a caller; the framework would run a public handler instead.
    Decision authenticated =
        decided(request("DELETE", "/feedback", "X-AOS-Key: k1"), Reason.AUTHENTICATED);
    Decision toPublic =
        enforcer.confirm(
            request("POST", "/feedback", "X-AOS-Key: k1"),
            authenticated,
            coverage.entry(POST_FEEDBACK));
    assertThat(toPublic.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(toPublic.rule()).isSameAs(publicFeedback);

    assertThat(audit)
        .extracting(AuditEvent::method, AuditEvent::reason, AuditEvent::route)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("POST", Reason.PUBLIC, "/feedback"),
            org.assertj.core.groups.Tuple.tuple("DELETE", Reason.DISPATCH_MISMATCH, "/feedback"),
            org.assertj.core.groups.Tuple.tuple("DELETE", Reason.AUTHENTICATED, "/feedback"),
            org.assertj.core.groups.Tuple.tuple("POST", Reason.DISPATCH_MISMATCH, "/feedback"));
  }

  @Test
  void aRefusalHandedOverAsAdmittedIsDecidedAgainLikeNoDecision() {
    Decision refused = decided(request("GET", "/items/1"), Reason.MISSING_CREDENTIAL);
    Decision confirmed =
        enforcer.confirm(
            request("GET", "/items/1", "X-AOS-Key: k1"), refused, coverage.entry(GET_ITEM));
    assertThat(confirmed.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(confirmed.principal()).isEqualTo(MACHINES.get("k1"));

    Decision again =
        enforcer.confirm(request("GET", "/items/1"), refused, coverage.entry(GET_ITEM));
    assertThat(again.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertThat(audit)
        .extracting(AuditEvent::reason)
        .containsExactly(
            Reason.MISSING_CREDENTIAL, Reason.AUTHENTICATED, Reason.MISSING_CREDENTIAL);
  }

  @Test
  void anUnmappedRequestDecidedAtDispatchIsUnmapped() {
    Decision confirmed = enforcer.confirm(request("GET", "/nowhere"), null, coverage.pathHandler());
    assertThat(confirmed.reason()).isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(confirmed.violation()).isFalse();
    assertThat(audit).extracting(AuditEvent::reason).containsExactly(Reason.UNMAPPED_ROUTE);
  }

  @Test
  void thePathHandlerOfAnotherPolicyConfirmsNothing() {
    RouteCoverage other = RouteCoverage.of(Policy.parse(POLICY, "p.policy"), HANDLERS);
    InboundRequest post = request("POST", "/feedback");
    Decision admitted = decided(post, Reason.PUBLIC);
    assertThat(enforcer.confirm(post, admitted, coverage.pathHandler())).isSameAs(admitted);
    Decision confirmed = enforcer.confirm(post, admitted, other.pathHandler());
    assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    // Refused under the rule applied at the edge, not as an internal error (which names none).
    assertThat(confirmed.rule()).isEqualTo(admitted.rule());
  }

  @Test
  void anAllowAdmittedAtTheEdgeIsNotRecordedWhenTheHandlerIsOfAnotherPolicy() {
    RouteCoverage other = RouteCoverage.of(Policy.parse(POLICY, "p.policy"), HANDLERS);
    InboundRequest post = request("POST", "/feedback");
    Decision admitted = admitted(post);
    Decision confirmed = enforcer.confirm(post, admitted, other.pathHandler());
    assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(confirmed.rule()).isEqualTo(admitted.rule());
    finishAndExpectTheMismatchAlone(admitted, "/feedback");
  }

  @Test
  void anAllowAdmittedAtTheEdgeIsNotRecordedWhenConfirmingFails() {
    InboundRequest get = request("GET", "/profile", "Authorization: Bearer alice");
    Decision admitted = admitted(get);
    assertThat(enforcer.confirm(get, admitted, null).reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    finishAndExpectTheMismatchAlone(admitted, null);
  }

  /** An allow from {@link Enforcer#admit}, whose audit event waits for the response. */
  private Decision admitted(InboundRequest request) {
    Decision admitted = enforcer.admit(request);
    assertThat(admitted.allowed()).isTrue();
    assertThat(audit).isEmpty();
    return admitted;
  }

  /**
   * Finishes an admitted allow as an adapter does when the response is complete: after a mismatch
   * the handler did not run, so only the mismatch may be on record.
   */
  private void finishAndExpectTheMismatchAlone(Decision admitted, @Nullable String route) {
    enforcer.finish(admitted, 200);
    assertThat(audit)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
              assertThat(e.allowed()).isFalse();
              assertThat(e.route()).isEqualTo(route);
            });
  }

  @Test
  void theAuditEventOfAMismatchNamesTheCarriersPresented() {
    Map<InboundRequest, List<String>> cases = new LinkedHashMap<>();
    cases.put(request("GET", "/profile", "Authorization: Bearer alice"), List.of("Authorization"));
    cases.put(request("GET", "/items/1", "X-AOS-Key: k1"), List.of("X-AOS-Key"));
    cases.put(
        request("GET", "/profile", "X-AOS-Customer-Key: sk-u1"), List.of("X-AOS-Customer-Key"));
    cases.put(request("POST", "/feedback"), List.of());
    // A public rule does not look at credentials; the audit event still lists them.
    cases.put(
        request("POST", "/feedback", "Authorization: Bearer alice", "X-AOS-Key: k1"),
        List.of("Authorization", "X-AOS-Key"));
    cases.put(
        request("POST", "/feedback", "X-AOS-Key: k1", "X-AOS-Customer-Key: sk-u1"),
        List.of("X-AOS-Key", "X-AOS-Customer-Key"));
    for (Map.Entry<InboundRequest, List<String>> c : cases.entrySet()) {
      Decision admitted = enforcer.decide(c.getKey());
      assertThat(admitted.allowed()).isTrue();
      audit.clear();
      Decision confirmed = enforcer.confirm(c.getKey(), admitted, coverage.unknown());
      assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
      assertThat(audit)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
                assertThat(e.carriers()).as("%s", c.getValue()).isEqualTo(c.getValue());
              });
    }
  }

  @Test
  void anErrorWhileConfirmingRefusesTheDispatch() {
    InboundRequest get = request("GET", "/profile", "Authorization: Bearer alice");
    Decision admitted = decided(get, Reason.AUTHENTICATED);
    audit.clear();
    Decision confirmed = enforcer.confirm(get, admitted, null);
    assertThat(confirmed.allowed()).isFalse();
    assertThat(confirmed.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
    assertThat(confirmed.rule()).isNull();
    assertThat(audit)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo(Reason.DISPATCH_MISMATCH);
              assertThat(e.route()).isNull();
              assertThat(e.carriers()).containsExactly("Authorization");
            });
  }
}
