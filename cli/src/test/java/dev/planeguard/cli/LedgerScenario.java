package dev.planeguard.cli;

import dev.planeguard.AuditLedger;
import dev.planeguard.AuditSink;
import dev.planeguard.Contract;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.ManualClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A real audit ledger: keys issued, used, refused, revoked and rotated through a real {@link
 * KeyLifecycle} and {@link Enforcer}, on a clock the scenario sets, so every entry has a known
 * time. Key {@link #leaked} is the one a breach sweep looks for.
 * <!-- not java -->
 *
 * <pre>
 * 09:00  KEY_CREATED leaked (acme), KEY_CREATED other (globex)
 * 09:30  leaked  GET /api/v1/runs          allow AUTHENTICATED        r1
 * 09:45  other   GET /api/v1/runs          allow AUTHENTICATED        r2
 * 09:50  other   GET /api/v1/runs          allow AUTHENTICATED        r3
 * 10:05  leaked  GET /api/v1/runs/42       allow AUTHENTICATED        r4
 * 10:07  leaked  GET /api/v1/accounts/me   deny  CROSS_PLANE_CREDENTIAL r5
 * 10:08  other   GET /api/v1/runs/7        allow AUTHENTICATED        r6
 * 10:10  -       GET /healthz              allow PUBLIC               r7
 * 10:20  KEY_REVOKED leaked
 * 10:25  leaked  GET /api/v1/runs          deny  REVOKED_KEY          r8
 * 11:30  leaked  GET /api/v1/runs          deny  REVOKED_KEY          r9
 * 11:40  KEY_CREATED successor (rotated_from other), KEY_ROTATED other
 * </pre>
 */
final class LedgerScenario {

  static final String POLICY =
      """
      human      /api/v1/accounts/**
      machine    /api/v1/runs/**
      public     /healthz
      """;

  static final Instant DAY = Instant.parse("2026-12-06T00:00:00Z");

  final Path file;
  final ApiKey leaked;
  final ApiKey other;
  final ApiKey successor;

  private LedgerScenario(Path file, ApiKey leaked, ApiKey other, ApiKey successor) {
    this.file = file;
    this.leaked = leaked;
    this.other = other;
    this.successor = successor;
  }

  static Instant at(String hhmm) {
    return Instant.parse("2026-12-06T" + hhmm + ":00Z");
  }

  static LedgerScenario write(Path file) throws IOException {
    ManualClock clock = new ManualClock(at("09:00"));
    KeyStore.Writable store = KeyStore.inMemory();
    ApiKey leaked;
    ApiKey other;
    ApiKey successor;
    try (AuditLedger ledger = AuditLedger.file(file).clock(clock).open()) {
      KeyLifecycle keys = KeyLifecycle.of(store, clock).withLedger(ledger);
      leaked = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
      other = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "globex", Set.of(), null).key();
      Enforcer enforcer = enforcer(store, clock, ledger);
      decide(enforcer, clock, "09:30", "/api/v1/runs", leaked, "r1");
      decide(enforcer, clock, "09:45", "/api/v1/runs", other, "r2");
      decide(enforcer, clock, "09:50", "/api/v1/runs", other, "r3");
      decide(enforcer, clock, "10:05", "/api/v1/runs/42", leaked, "r4");
      decide(enforcer, clock, "10:07", "/api/v1/accounts/me", leaked, "r5");
      decide(enforcer, clock, "10:08", "/api/v1/runs/7", other, "r6");
      decide(enforcer, clock, "10:10", "/healthz", null, "r7");
      clock.set(at("10:20"));
      keys.revoke(leaked.id());
      decide(enforcer, clock, "10:25", "/api/v1/runs", leaked, "r8");
      decide(enforcer, clock, "11:30", "/api/v1/runs", leaked, "r9");
      clock.set(at("11:40"));
      successor = keys.rotate(other.id(), Duration.ofHours(1)).key();
    }
    return new LedgerScenario(file, leaked, other, successor);
  }

  /** {@code n} decisions, alternately allowed and refused, a minute apart from 09:00. */
  static void decisions(Path file, int n) throws IOException {
    ManualClock clock = new ManualClock(at("09:00"));
    KeyStore.Writable store = KeyStore.inMemory();
    try (AuditLedger ledger = AuditLedger.file(file).clock(clock).open()) {
      Enforcer enforcer = enforcer(store, clock, ledger);
      for (int i = 0; i < n; i++) {
        clock.set(at("09:00").plus(Duration.ofMinutes(i)));
        enforcer.decide(
            withRequestId(
                InboundRequest.of("GET", i % 2 == 0 ? "/healthz" : "/nope/" + i, Map.of()),
                "r" + i));
      }
    }
  }

  /**
   * Two keys whose calls the application metered ({@code AuditAttributes}): the one of {@code acme}
   * twice (1,000 + 500 input tokens, 200 + 100 output, 3 + 2 cents), the other once (40, 10, 1),
   * and a refusal, which has no attributes.
   */
  static LedgerScenario metered(Path file) throws IOException {
    ManualClock clock = new ManualClock(at("09:00"));
    KeyStore.Writable store = KeyStore.inMemory();
    ApiKey acme;
    ApiKey globex;
    try (AuditLedger ledger = AuditLedger.file(file).clock(clock).open()) {
      KeyLifecycle keys = KeyLifecycle.of(store, clock).withLedger(ledger);
      acme = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null).key();
      globex = keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "globex", Set.of(), null).key();
      Enforcer enforcer = enforcer(store, clock, ledger);
      metered(enforcer, clock, "09:10", acme, 1000, 200, 3);
      metered(enforcer, clock, "09:20", acme, 500, 100, 2);
      metered(enforcer, clock, "09:30", globex, 40, 10, 1);
      decide(enforcer, clock, "09:40", "/api/v1/accounts/me", acme, "r4");
    }
    return new LedgerScenario(file, acme, globex, globex);
  }

  private static void metered(
      Enforcer enforcer,
      ManualClock clock,
      String hhmm,
      ApiKey key,
      long inputTokens,
      long outputTokens,
      long costCents) {
    clock.set(at(hhmm));
    Decision d =
        enforcer.admit(
            InboundRequest.of("POST", "/api/v1/runs", Map.of("X-AOS-Key", List.of(key.value()))));
    java.util.Objects.requireNonNull(d.auditAttributes())
        .purpose("eval")
        .inputTokens(inputTokens)
        .outputTokens(outputTokens)
        .costCents(costCents);
    enforcer.finish(d, 200);
  }

  private static Enforcer enforcer(KeyStore store, Clock clock, AuditLedger ledger) {
    return Enforcer.builder()
        .contract(Contract.parse(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon")))
        .policy(Policy.parse(POLICY, "test.policy"))
        .tokenVerifier(
            token -> {
              throw new AssertionError("no token is sent in this scenario");
            })
        .machineKeyVerifier(KeyVerifier.of(store, clock))
        .auditSink(AuditSink.none())
        .auditLedger(ledger)
        .clock(clock)
        .build();
  }

  private static void decide(
      Enforcer enforcer,
      ManualClock clock,
      String hhmm,
      String path,
      @Nullable ApiKey key,
      String requestId) {
    clock.set(at(hhmm));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    if (key != null) {
      headers.put("X-AOS-Key", List.of(key.value()));
    }
    enforcer.decide(withRequestId(InboundRequest.of("GET", path, headers), requestId));
  }

  /** {@code request} with the request id an adapter would have read from its own request. */
  static InboundRequest withRequestId(InboundRequest request, String requestId) {
    return new InboundRequest() {
      @Override
      public String method() {
        return request.method();
      }

      @Override
      public String path() {
        return request.path();
      }

      @Override
      public @Nullable String query() {
        return request.query();
      }

      @Override
      public List<String> headers(String name) {
        return request.headers(name);
      }

      @Override
      public String requestId() {
        return requestId;
      }
    };
  }

  static String sha256(String line) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
