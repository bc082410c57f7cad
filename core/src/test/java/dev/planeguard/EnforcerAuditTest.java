package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.internal.LedgerStore;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's side of the audit trail, fast enough for mutation testing: which key an event names,
 * when an admitted allow is recorded, what the ledger gets, and decision row 16.
 */
class EnforcerAuditTest {

  @TempDir Path dir;

  static final ApiKey MACHINE = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
  static final ApiKey SANDBOX = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL);
  static final ApiKey EXPIRED = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
  static final ApiKey UNKNOWN = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);

  final List<AuditEvent> events = new ArrayList<>();
  final List<AuditLedger> ledgers = new ArrayList<>();

  @AfterEach
  void close() {
    ledgers.forEach(AuditLedger::close);
  }

  Enforcer enforcer(Mode mode, @Nullable AuditLedger ledger) {
    KeyStore.Writable machine = KeyStore.inMemory();
    machine.add(KeyRecord.of(MACHINE, "acme", Set.of(), null));
    machine.add(KeyRecord.of(EXPIRED, "acme", Set.of(), Instant.parse("2020-01-01T00:00:00Z")));
    KeyStore.Writable sandbox = KeyStore.inMemory();
    sandbox.add(KeyRecord.of(SANDBOX, "acme", Set.of(), null));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AOS_MODE", mode.id());
    env.put("DB_AUTHORITY", mode.isProductionLike() ? "neon" : "local");
    Enforcer.Builder b =
        Enforcer.builder()
            .contract(Contract.parse(env))
            .policy(EnforcerTest.POLICY)
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(KeyVerifier.of(machine))
            .auditSink(events::add);
    if (!mode.isProductionLike()) {
      b.sandboxKeyVerifier(KeyVerifier.of(sandbox));
    }
    Enforcer.Builder same = b.auditLedger(ledger);
    assertThat(same).isSameAs(b);
    return b.build();
  }

  AuditLedger ledger(LedgerStore store, int capacity) throws Exception {
    AuditLedger l =
        AuditLedger.file(dir.resolve("ledger.jsonl"))
            .store(store)
            .queueCapacity(capacity)
            .failureBound(Duration.ofMinutes(5))
            .open();
    ledgers.add(l);
    return l;
  }

  static InboundRequest request(String method, String path, String... headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.computeIfAbsent(headers[i], k -> new ArrayList<>()).add(headers[i + 1]);
    }
    return InboundRequest.of(method, path, h);
  }

  @Nullable String keyIdOf(Enforcer e, InboundRequest request) {
    events.clear();
    e.decide(request);
    assertThat(events).hasSize(1);
    return events.get(0).keyId();
  }

  @Test
  void anEventNamesTheKeyPresentedWhenItsChecksumHolds() {
    Enforcer e = enforcer(Mode.LOCAL, null);
    // Allowed: the caller's key.
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value())))
        .isEqualTo(MACHINE.id());
    assertThat(
            keyIdOf(
                e, request("GET", "/api/v1/accounts/me", "X-AOS-Customer-Key", SANDBOX.value())))
        .isEqualTo(SANDBOX.id());
    // Refused, the key still named: unknown, expired, on the other plane, beside a token.
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs", "X-AOS-Key", UNKNOWN.value())))
        .isEqualTo(UNKNOWN.id());
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs", "X-AOS-Key", EXPIRED.value())))
        .isEqualTo(EXPIRED.id());
    assertThat(keyIdOf(e, request("GET", "/api/v1/accounts/me", "X-AOS-Key", MACHINE.value())))
        .isEqualTo(MACHINE.id());
    assertThat(
            keyIdOf(
                e,
                request(
                    "GET",
                    "/api/v1/runs",
                    "X-AOS-Customer-Key",
                    SANDBOX.value(),
                    "Authorization",
                    "Bearer x.y.z")))
        .isEqualTo(SANDBOX.id());
    // No key named: none presented, not a key, a key repeated, a token only, a public route.
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs"))).isNull();
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs", "X-AOS-Key", "not-a-key"))).isNull();
    assertThat(
            keyIdOf(
                e, request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value(), "X-AOS-Key", "x")))
        .isNull();
    assertThat(keyIdOf(e, request("GET", "/api/v1/runs", "Authorization", "Bearer x.y.z")))
        .isNull();
    assertThat(keyIdOf(e, request("GET", "/healthz"))).isNull();
  }

  @Test
  void anAdmittedAllowIsRecordedOnceWhenFinishedAndARefusalAtOnce() {
    Enforcer e = enforcer(Mode.LOCAL, null);
    Decision allowed = e.admit(request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value()));
    assertThat(allowed).isNotNull();
    assertThat(allowed.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(events).isEmpty();
    e.finish(allowed, 200);
    e.finish(allowed, 500);
    assertThat(events).extracting(AuditEvent::responseStatus).containsExactly(200);
    assertThat(events.get(0).handlingNanos()).isNotNegative();

    Decision refused = e.admit(request("GET", "/api/v1/runs"));
    assertThat(refused).isNotNull();
    assertThat(refused.reason()).isEqualTo(Reason.MISSING_CREDENTIAL);
    assertThat(events).hasSize(2);
    e.finish(refused, 401);
    assertThat(events).hasSize(2);

    // A decision of decide() is recorded already; finishing it records nothing more.
    Decision decided = e.decide(request("GET", "/healthz"));
    e.finish(decided, 200);
    assertThat(events).hasSize(3);
  }

  @Test
  void theLedgerGetsEveryEventAndTheFirstRefusalOfAnExpiredKey() throws Exception {
    Recording store = new Recording();
    AuditLedger ledger = ledger(store, 1000);
    Enforcer e = enforcer(Mode.LOCAL, ledger);
    e.decide(request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value()));
    e.decide(request("GET", "/api/v1/runs", "X-AOS-Key", EXPIRED.value()));
    e.decide(request("GET", "/api/v1/runs", "X-AOS-Key", EXPIRED.value()));
    assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(store.lines)
        .hasSize(4)
        .satisfies(
            l -> {
              assertThat(l.get(0)).contains("\"reason\":\"AUTHENTICATED\"");
              assertThat(l.get(1)).contains("\"reason\":\"EXPIRED_KEY\"");
              assertThat(l.get(2)).contains("\"type\":\"KEY_EXPIRED\"");
              assertThat(l.get(3)).contains("\"reason\":\"EXPIRED_KEY\"");
            });
  }

  @Test
  void rowSixteenRefusesAllowsInProdWhileTheLedgerCannotTakeThemAndNotElsewhere() throws Exception {
    Recording store = new Recording();
    store.blocked = new CountDownLatch(1);
    AuditLedger ledger = ledger(store, 1000);
    Enforcer prod = enforcer(Mode.PROD, ledger);
    ApiKey prodKey = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyStore.Writable keys = KeyStore.inMemory();
    keys.add(KeyRecord.of(prodKey, null, Set.of(), null));
    Enforcer prodWithKey =
        Enforcer.builder()
            .contract(prod.contract())
            .policy(prod.policy())
            .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
            .machineKeyVerifier(KeyVerifier.of(keys))
            .auditSink(events::add)
            .auditLedger(ledger)
            .build();
    Enforcer local = enforcer(Mode.LOCAL, ledger);
    InboundRequest allowed = request("GET", "/api/v1/runs", "X-AOS-Key", prodKey.value());
    for (int i = 0; i < 1000; i++) {
      assertThat(prodWithKey.decide(allowed).reason()).isEqualTo(Reason.AUTHENTICATED);
    }
    Decision refused = prodWithKey.decide(allowed);
    assertThat(refused.reason()).isEqualTo(Reason.AUDIT_UNAVAILABLE);
    assertThat(refused.principal()).isNull();
    assertThat(refused.retryAfterSeconds()).isEqualTo(5);
    assertThat(refused.violation()).isFalse();
    // Public routes are still served, refusals still refused, local and test go on.
    assertThat(prodWithKey.decide(request("GET", "/healthz")).reason()).isEqualTo(Reason.PUBLIC);
    assertThat(prodWithKey.decide(request("GET", "/nope")).reason())
        .isEqualTo(Reason.UNMAPPED_ROUTE);
    assertThat(local.decide(request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value())).reason())
        .isEqualTo(Reason.AUTHENTICATED);
    store.blocked.countDown();
    assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(prodWithKey.decide(allowed).reason()).isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void anAllowRefusedAtDispatchOrDecidedAgainIsNotRecordedAndGivesItsPlaceBack() throws Exception {
    Recording store = new Recording();
    AuditLedger ledger = ledger(store, 1000);
    Enforcer e = enforcer(Mode.LOCAL, ledger);
    RouteCoverage coverage =
        RouteCoverage.of(
            e.policy(),
            List.of(
                new RouteCoverage.Handler(
                    "Human#runs",
                    List.of(new RouteCoverage.PathMapping("/api/v1/runs", "/api/v1/runs", false)),
                    Set.of("GET"),
                    Optional.of(
                        new RouteDeclarations.Declared(Access.HUMAN, Plane.HUMAN, Set.of())),
                    false),
                new RouteCoverage.Handler(
                    "Machine#runs",
                    List.of(new RouteCoverage.PathMapping("/api/v1/runs", "/api/v1/runs", false)),
                    Set.of("POST"),
                    Optional.empty(),
                    false)));
    for (int i = 0; i < 1500; i++) {
      InboundRequest get = request("GET", "/api/v1/runs", "X-AOS-Key", MACHINE.value());
      Decision admitted = e.admit(get);
      assertThat(e.confirm(get, admitted, coverage.entry(0)).reason())
          .isEqualTo(Reason.DISPATCH_MISMATCH);
      e.finish(admitted, 404);
      // The same allow served as a POST (a method override): decided again on POST.
      Decision again = e.admit(get);
      InboundRequest post = request("POST", "/api/v1/runs", "X-AOS-Key", MACHINE.value());
      Decision onPost = e.confirm(post, again, coverage.entry(1));
      e.finish(again, 200);
      assertThat(onPost).isNotSameAs(again);
      if (i % 500 == 499) {
        assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
      }
    }
    assertThat(ledger.accepting()).isTrue();
    assertThat(ledger.flush(Duration.ofSeconds(30))).isTrue();
    assertThat(store.lines).hasSize(3000);
    assertThat(store.lines.stream().filter(l -> l.contains("\"method\":\"GET\"")))
        .allMatch(l -> l.contains("DISPATCH_MISMATCH"));
    assertThat(events).extracting(AuditEvent::method).doesNotContainNull();
  }

  /** Keeps the lines written; blocks while a latch is set: a disk that stalls. */
  static final class Recording implements LedgerStore {
    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile @Nullable CountDownLatch blocked;

    @Override
    public @Nullable Tail tail() {
      return null;
    }

    @Override
    public void append(List<String> batch, Instant now) throws java.io.IOException {
      CountDownLatch latch = blocked;
      if (latch != null) {
        try {
          latch.await();
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
          throw new java.io.IOException("interrupted");
        }
      }
      lines.addAll(batch);
    }

    @Override
    public String describe() {
      return "recording";
    }

    @Override
    public void close() {}
  }
}
