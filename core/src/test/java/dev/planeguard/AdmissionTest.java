package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Decision rows 15a to 15c through the engine: purposes, rate limits of keys, callers, sandbox keys
 * and tenants, remaining uses and the tenants' budgets of the day. Time moves only when a test says
 * so.
 */
class AdmissionTest {

  static final String POLICY =
      """
      machine /api/v1/runs/**
      machine /api/v1/summaries/** purposes=summarize,translate
      human   /api/v1/accounts/**
      public  /healthz
      """;

  final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  final KeyStore.Writable machine = KeyStore.inMemory();
  final KeyStore.Writable sandbox = KeyStore.inMemory();
  final List<AuditEvent> events = new ArrayList<>();

  ApiKey key(String tenant, KeyLimits limits) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    machine.add(KeyRecord.of(key, tenant, Set.of(), null).withLimits(limits));
    return key;
  }

  ApiKey sandboxKey(String tenant) {
    ApiKey key = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL);
    sandbox.add(KeyRecord.of(key, tenant, Set.of(), null));
    return key;
  }

  Enforcer enforcer(Consumer<Admission.Builder> admission) {
    Admission.Builder a = Admission.builder().clock(clock);
    admission.accept(a);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("AOS_MODE", "local");
    env.put("DB_AUTHORITY", "local");
    return Enforcer.builder()
        .contract(Contract.parse(env))
        .policy(Policy.parse(POLICY, "admission.policy"))
        .tokenVerifier(EnforcerTest.UNREACHABLE_TOKENS)
        .machineKeyVerifier(KeyVerifier.of(machine))
        .sandboxKeyVerifier(KeyVerifier.of(sandbox))
        .auditSink(events::add)
        .admission(a.build())
        .build();
  }

  static InboundRequest get(String path, String... headers) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < headers.length; i += 2) {
      h.computeIfAbsent(headers[i], k -> new ArrayList<>()).add(headers[i + 1]);
    }
    return InboundRequest.of("GET", path, h);
  }

  static InboundRequest run(ApiKey key) {
    return get("/api/v1/runs", "X-AOS-Key", key.value());
  }

  @Test
  void aKeysOwnLimitRefusesTheRequestAfterItsQuotaAndRefillsWithTime() {
    Enforcer e = enforcer(a -> {});
    ApiKey limited = key("acme", new KeyLimits(RateLimit.parse("3/1m"), null, null));
    ApiKey other = key("acme", KeyLimits.NONE);

    for (int i = 0; i < 3; i++) {
      Decision d = e.decide(run(limited));
      assertThat(d.reason()).isEqualTo(Reason.AUTHENTICATED);
      assertThat(d.rateLimitPolicy()).isEqualTo("\"key\";q=3;w=60");
      assertThat(d.rateLimit()).isEqualTo("\"key\";r=" + (2 - i) + ";t=" + (20 * (i + 1)));
    }
    Decision refused = e.decide(run(limited));
    assertThat(refused.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.detail()).isEqualTo(Detail.KEY_LIMIT);
    assertThat(refused.retryAfterSeconds()).isEqualTo(20);
    assertThat(refused.rateLimitPolicy()).isEqualTo("\"key\";q=3;w=60");
    assertThat(refused.rateLimit()).isEqualTo("\"key\";r=0;t=20");
    assertThat(refused.principal()).isNull();
    Refusal refusal = Refusal.of(refused, "api", "X-AOS-Key");
    assertThat(refusal.status()).isEqualTo(429);
    assertThat(refusal.retryAfterSeconds()).isEqualTo(20);
    assertThat(refusal.wwwAuthenticate()).isNull();
    assertThat(refusal.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                + "\"reason\":\"RATE_LIMITED\",\"plane\":\"machine\"}");
    // The audit event of the refusal names the key and the limit that refused it.
    AuditEvent last = events.get(events.size() - 1);
    assertThat(last.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(last.detail()).isEqualTo(Detail.KEY_LIMIT);
    assertThat(last.keyId()).isEqualTo(limited.id());

    // Another key of the same tenant is not touched: it has no limit at all.
    Decision unaffected = e.decide(run(other));
    assertThat(unaffected.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(unaffected.rateLimit()).isNull();
    assertThat(unaffected.rateLimitPolicy()).isNull();

    clock.advance(Duration.ofSeconds(19));
    assertThat(e.decide(run(limited)).reason()).isEqualTo(Reason.RATE_LIMITED);
    clock.advance(Duration.ofSeconds(1));
    assertThat(e.decide(run(limited)).reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(e.decide(run(limited)).reason()).isEqualTo(Reason.RATE_LIMITED);
  }

  @Test
  void theCallerLimitAppliesToKeysWithoutOneOfTheirOwnAndBurstsAreAllowed() {
    Enforcer e = enforcer(a -> a.callerLimit(RateLimit.perMinute(2).withBurst(4)));
    ApiKey plain = key("acme", KeyLimits.NONE);
    ApiKey own = key("acme", new KeyLimits(RateLimit.parse("10/1m"), null, null));
    for (int i = 0; i < 4; i++) {
      assertThat(e.decide(run(plain)).reason()).isEqualTo(Reason.AUTHENTICATED);
    }
    Decision refused = e.decide(run(plain));
    assertThat(refused.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(refused.detail()).isEqualTo(Detail.PRINCIPAL_LIMIT);
    assertThat(refused.retryAfterSeconds()).isEqualTo(30);
    assertThat(refused.rateLimitPolicy()).isEqualTo("\"caller\";q=2;w=60");
    // The key's own limit replaces the caller limit: ten, not two (with a burst of four).
    for (int i = 0; i < 10; i++) {
      assertThat(e.decide(run(own)).reason()).as("request %d", i).isEqualTo(Reason.AUTHENTICATED);
    }
    assertThat(e.decide(run(own)).detail()).isEqualTo(Detail.KEY_LIMIT);
  }

  @Test
  void aTenantsLimitIsSharedByItsKeysAndARefusalGivesTheCallerItsTokenBack() {
    Enforcer e =
        enforcer(
            a ->
                a.callerLimit(RateLimit.perMinute(100))
                    .tenantLimit(RateLimit.perMinute(3))
                    .tenantLimit("bigco", RateLimit.perMinute(5)));
    ApiKey a1 = key("acme", KeyLimits.NONE);
    ApiKey a2 = key("acme", KeyLimits.NONE);
    ApiKey b1 = key("bigco", KeyLimits.NONE);
    assertThat(e.decide(run(a1)).rateLimit()).isEqualTo("\"caller\";r=99;t=1, \"tenant\";r=2;t=20");
    assertThat(e.decide(run(a2)).reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(e.decide(run(a1)).reason()).isEqualTo(Reason.AUTHENTICATED);
    Decision refused = e.decide(run(a2));
    assertThat(refused.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(refused.detail()).isEqualTo(Detail.TENANT_LIMIT);
    assertThat(refused.rateLimitPolicy()).isEqualTo("\"caller\";q=100;w=60, \"tenant\";q=3;w=60");
    assertThat(refused.rateLimit()).isEqualTo("\"caller\";r=98;t=2, \"tenant\";r=0;t=20");
    // bigco has a limit of its own.
    for (int i = 0; i < 5; i++) {
      assertThat(e.decide(run(b1)).reason()).isEqualTo(Reason.AUTHENTICATED);
    }
    assertThat(e.decide(run(b1)).detail()).isEqualTo(Detail.TENANT_LIMIT);
  }

  @Test
  void sandboxKeysAreAlwaysLimitedWhenTheSandboxIsOn() {
    Enforcer e = enforcer(a -> a.sandboxLimit(RateLimit.perMinute(2)));
    ApiKey key = sandboxKey("acme");
    InboundRequest r = get("/api/v1/accounts/me", "X-AOS-Customer-Key", key.value());
    assertThat(e.decide(r).reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(e.decide(r).reason()).isEqualTo(Reason.AUTHENTICATED);
    Decision refused = e.decide(r);
    assertThat(refused.reason()).isEqualTo(Reason.RATE_LIMITED);
    assertThat(refused.detail()).isEqualTo(Detail.SANDBOX_LIMIT);
    assertThat(refused.plane()).isEqualTo(Plane.HUMAN);
    assertThat(refused.rateLimitPolicy()).isEqualTo("\"sandbox\";q=2;w=60");
    // Without a limit configured, the default of 60 a minute applies.
    assertThat(Admission.builder().build().sandboxLimit()).isEqualTo(RateLimit.perMinute(60));
  }

  @Test
  void usesRunOutAndComeBackOnlyWithARefill() {
    Enforcer e = enforcer(a -> {});
    ApiKey twice = key("acme", new KeyLimits(null, 2L, null));
    ApiKey hourly = key("acme", new KeyLimits(null, 1L, Duration.ofHours(1)));
    assertThat(e.decide(run(twice)).reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(e.decide(run(twice)).reason()).isEqualTo(Reason.AUTHENTICATED);
    Decision spent = e.decide(run(twice));
    assertThat(spent.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);
    assertThat(spent.status()).isEqualTo(429);
    assertThat(spent.detail()).isEqualTo(Detail.USES_SPENT);
    // Never refilled: no point in coming back, so no Retry-After.
    assertThat(spent.retryAfterSeconds()).isZero();
    assertThat(Refusal.of(spent, "api", "X-AOS-Key").retryAfterSeconds()).isZero();

    assertThat(e.decide(run(hourly)).reason()).isEqualTo(Reason.AUTHENTICATED);
    Decision later = e.decide(run(hourly));
    assertThat(later.detail()).isEqualTo(Detail.USES_SPENT);
    assertThat(later.retryAfterSeconds()).isEqualTo(3600);
    clock.advance(Duration.ofHours(1));
    assertThat(e.decide(run(hourly)).reason()).isEqualTo(Reason.AUTHENTICATED);
    clock.advance(Duration.ofDays(400));
    assertThat(e.decide(run(twice)).detail()).isEqualTo(Detail.USES_SPENT);
  }

  @Test
  void aTenantOverItsBudgetIsRefusedBeforeItsHandlerRunsUntilTheNextUtcDay() {
    Enforcer e = enforcer(a -> a.tenantBudgetCents(100L).tenantBudgetCents("bigco", 1000));
    ApiKey acme = key("acme", KeyLimits.NONE);
    ApiKey bigco = key("bigco", KeyLimits.NONE);

    Decision first = e.admit(run(acme));
    assertThat(first.reason()).isEqualTo(Reason.AUTHENTICATED);
    first.auditAttributes().costCents(60);
    e.finish(first, 200);
    Decision second = e.admit(run(acme));
    assertThat(second.reason()).isEqualTo(Reason.AUTHENTICATED);
    second.auditAttributes().costCents(50); // 110 of 100: served, but the last one of the day
    e.finish(second, 200);

    Decision refused = e.admit(run(acme));
    assertThat(refused.reason()).isEqualTo(Reason.BUDGET_EXHAUSTED);
    assertThat(refused.detail()).isEqualTo(Detail.BUDGET_SPENT);
    assertThat(refused.retryAfterSeconds()).isEqualTo(14 * 3600); // 10:00 to midnight UTC
    assertThat(refused.auditAttributes()).isNull();
    // Another tenant's budget is its own.
    assertThat(e.decide(run(bigco)).reason()).isEqualTo(Reason.AUTHENTICATED);
    // A decision of decide() charges nothing (no handler reported a cost).
    clock.advance(Duration.ofHours(14));
    assertThat(e.decide(run(acme)).reason()).isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void aRuleWithPurposesNeedsExactlyOneListedPurposeAndRecordsIt() {
    Enforcer e = enforcer(a -> {});
    ApiKey key = key("acme", KeyLimits.NONE);
    String path = "/api/v1/summaries/1";
    Decision missing = e.decide(get(path, "X-AOS-Key", key.value()));
    assertThat(missing.reason()).isEqualTo(Reason.PURPOSE_NOT_ALLOWED);
    assertThat(missing.status()).isEqualTo(403);
    assertThat(missing.detail()).isEqualTo(Detail.PURPOSE_MISSING);
    Decision unknown = e.decide(get(path, "X-AOS-Key", key.value(), "X-AOS-Purpose", "Summarize"));
    assertThat(unknown.detail()).isEqualTo(Detail.PURPOSE_UNKNOWN);
    Decision list =
        e.decide(get(path, "X-AOS-Key", key.value(), "X-AOS-Purpose", "summarize,translate"));
    assertThat(list.detail()).isEqualTo(Detail.PURPOSE_UNKNOWN);
    Decision repeated =
        e.decide(
            get(
                path,
                "X-AOS-Key",
                key.value(),
                "X-AOS-Purpose",
                "summarize",
                "X-AOS-Purpose",
                "translate"));
    assertThat(repeated.detail()).isEqualTo(Detail.PURPOSE_REPEATED);
    assertThat(events).allSatisfy(ev -> assertThat(ev.attributes()).isEmpty());

    events.clear();
    Decision allowed = e.decide(get(path, "X-AOS-Key", key.value(), "X-AOS-Purpose", "translate"));
    assertThat(allowed.reason()).isEqualTo(Reason.AUTHENTICATED);
    assertThat(events)
        .singleElement()
        .satisfies(
            ev -> assertThat(ev.attributes()).containsExactly(Map.entry("purpose", "translate")));

    events.clear();
    Decision admitted = e.admit(get(path, "X-AOS-Key", key.value(), "X-AOS-Purpose", "summarize"));
    e.finish(admitted, 200);
    assertThat(events)
        .singleElement()
        .satisfies(ev -> assertThat(ev.attributes()).containsEntry("purpose", "summarize"));
    // A rule without purposes ignores the header.
    assertThat(
            e.decide(get("/api/v1/runs", "X-AOS-Key", key.value(), "X-AOS-Purpose", "x")).reason())
        .isEqualTo(Reason.AUTHENTICATED);
  }

  @Test
  void purposesArePolicySyntaxAndOnlyForRulesThatAuthenticate() {
    Policy p = Policy.parse("machine /a/** purposes=b,a\n", "p");
    assertThat(p.rules().get(0).purposes()).containsExactly("a", "b");
    assertThat(p.rules().get(0).toPolicyLine()).isEqualTo("machine /a/** purposes=a,b");
    assertThat(Policy.builder().rule(Rule.machine("/a/**").withPurposes("a", "b")).build())
        .isEqualTo(p);
    assertThatThrownBy(() -> Policy.parse("public /a purposes=x\n", "p"))
        .isInstanceOf(ConfigurationException.class)
        .satisfies(
            t ->
                assertThat(((ConfigurationException) t).problems())
                    .singleElement()
                    .satisfies(
                        pr -> {
                          assertThat(pr.subject()).isEqualTo("p:1");
                          assertThat(pr.message())
                              .isEqualTo("public rules examine no credential, so no purposes=");
                          assertThat(pr.fix())
                              .isEqualTo(
                                  "remove purposes=, or make the rule human, machine or debug");
                        }));
    assertThatThrownBy(() -> Policy.parse("machine /a purposes=a;b\n", "p"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("invalid purpose");
  }

  @Test
  void sixteenThreadsOnOneKeyNeverExceedItsLimit() throws Exception {
    Enforcer e = enforcer(a -> {});
    ApiKey key = key("acme", new KeyLimits(RateLimit.parse("500/1m"), null, null));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    AtomicInteger allowed = new AtomicInteger();
    AtomicInteger limited = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 100; i++) {
                    Reason r = e.decide(run(key)).reason();
                    if (r == Reason.AUTHENTICATED) {
                      allowed.incrementAndGet();
                    } else if (r == Reason.RATE_LIMITED) {
                      limited.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(allowed.get()).isEqualTo(500);
    assertThat(limited.get()).isEqualTo(1100);
  }

  @Test
  void rateLimitsParseAndRefuseNonsense() {
    assertThat(RateLimit.parse("100/1m")).isEqualTo(RateLimit.of(100, Duration.ofMinutes(1)));
    assertThat(RateLimit.parse(" 10/s ")).isEqualTo(RateLimit.of(10, Duration.ofSeconds(1)));
    assertThat(RateLimit.parse("5000/1d").period()).isEqualTo(Duration.ofDays(1));
    assertThat(RateLimit.parse("7/90s")).hasToString("7/90s");
    assertThat(RateLimit.parse("7/120s")).hasToString("7/2m");
    assertThat(RateLimit.perMinute(600).withBurst(900)).hasToString("600/1m burst 900");
    for (String bad :
        new String[] {
          "", "100", "0/1m", "100/0m", "100/31d", "100/1w", "-1/1m", "1e3/1m", "100/m/s"
        }) {
      assertThat(RateLimit.tryParse(bad)).as(bad).isNull();
      assertThatThrownBy(() -> RateLimit.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("such as 100/1m");
    }
    assertThatThrownBy(() -> RateLimit.perMinute(10).withBurst(5)).hasMessageContaining("burst");
  }

  @Test
  void keyRecordsCarryTheirLimitsThroughTheKeyFileFormat() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord r =
        KeyRecord.of(key, "acme", Set.of("runs:write"), null)
            .withLimits(new KeyLimits(RateLimit.parse("100/1m"), 1000L, Duration.ofDays(30)));
    String line = r.toJsonLine();
    assertThat(line).endsWith(",\"rateLimit\":\"100/1m\",\"uses\":1000,\"usesRefill\":\"30d\"}");
    assertThat(KeyRecord.parseJsonLine(line)).isEqualTo(r);
    assertThat(
            KeyRecord.parseJsonLine(KeyRecord.of(key, null, Set.of(), null).toJsonLine()).limits())
        .isEqualTo(KeyLimits.NONE);
    String base = line.substring(0, line.indexOf(",\"rateLimit\""));
    assertThatThrownBy(() -> KeyRecord.parseJsonLine(base + ",\"rateLimit\":\"lots\"}"))
        .hasMessage("rateLimit must be requests/period such as 100/1m (1s to 30d)");
    assertThatThrownBy(() -> KeyRecord.parseJsonLine(base + ",\"uses\":0}"))
        .hasMessage("uses must be 1 to 1000000000, not 0");
    assertThatThrownBy(() -> KeyRecord.parseJsonLine(base + ",\"uses\":\"5\"}"))
        .hasMessage("uses must be a whole number");
    assertThatThrownBy(() -> KeyRecord.parseJsonLine(base + ",\"usesRefill\":\"30d\"}"))
        .hasMessage("usesRefill needs uses: say how many uses are refilled");
    assertThatThrownBy(() -> KeyRecord.parseJsonLine(base + ",\"uses\":5,\"usesRefill\":\"2y\"}"))
        .hasMessageContaining("is not a refill period");
  }
}
