package dev.planeguard.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.Admission;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.InboundRequest;
import dev.planeguard.RateLimit;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyVerifier;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole engine decisions ({@link Enforcer#decide}) that need no signature check: a repeated human
 * token (verified-token cache hit), a machine key from the key file, and two rejections that must
 * cost no cryptography. Each call goes through the request firewall, route matching, the decision
 * table and the construction of an audit event.
 *
 * <p>Measured in two modes: average time (for ratios and {@code -prof gc} allocation) and sample
 * time (for the median, which the performance targets name). Sample time includes the cost of
 * reading the timer around each sampled call (some tens of nanoseconds), so its medians err on the
 * high side.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH calls setUp() before any benchmark method
public class EngineBenchmark {

  /** The verifiers' clock; tests replace it before {@link #setUp()}. */
  Clock clock = Clock.systemUTC();

  /** Wrap the verifiers; tests count calls through them. */
  UnaryOperator<TokenVerifier> wrapTokens = UnaryOperator.identity();

  UnaryOperator<KeyVerifier> wrapKeys = UnaryOperator.identity();

  @Nullable Fixture fixture;
  Enforcer enforcer;

  /**
   * The same enforcer with a rate limit on: a default limit per caller, too high ever to refuse, so
   * that every decision pays for the check and none is refused.
   */
  Enforcer limitedEnforcer;

  /** As {@link #limitedEnforcer}, with a limit per tenant too: two checks per decision. */
  Enforcer tenantLimitedEnforcer;

  /** {@code GET /api/v1/accounts/me}, the same valid RS256 token every time. */
  InboundRequest cachedToken;

  /** {@code GET /api/v1/runs} with a valid machine key in {@code X-AOS-Key}. */
  InboundRequest machineKey;

  /** {@code GET /api/v1/runs} (a machine route) with a valid human token in Authorization. */
  InboundRequest crossPlane;

  /** {@code GET /api/v1/invoices/42} (no rule) with a valid human token. */
  InboundRequest unmapped;

  @Setup
  public void setUp() {
    Fixture f = new Fixture(clock);
    fixture = f;
    enforcer = f.enforcer(f.jwtVerifier(8L * 1024 * 1024), f.keyVerifier(), wrapTokens, wrapKeys);
    RateLimit never = RateLimit.of(RateLimit.MAX_REQUESTS, java.time.Duration.ofSeconds(1));
    limitedEnforcer =
        f.enforcer(
            f.jwtVerifier(8L * 1024 * 1024),
            f.keyVerifier(),
            wrapTokens,
            wrapKeys,
            Admission.builder().callerLimit(never).build());
    tenantLimitedEnforcer =
        f.enforcer(
            f.jwtVerifier(8L * 1024 * 1024),
            f.keyVerifier(),
            wrapTokens,
            wrapKeys,
            Admission.builder().callerLimit(never).tenantLimit(never).build());
    String token = f.token(JWSAlgorithm.RS256, 0);
    cachedToken = Fixture.bearer("/api/v1/accounts/me", token);
    machineKey = Fixture.request("GET", "/api/v1/runs", "X-AOS-Key", f.machineKey.value());
    crossPlane = Fixture.bearer("/api/v1/runs", token);
    unmapped = Fixture.bearer("/api/v1/invoices/42", token);
    // Reads the JWKS file and puts the token in the verified-token cache, before measurement.
    enforcer.decide(cachedToken);
  }

  @TearDown
  public void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** Human plane, the same token every call: a verified-token cache hit. */
  @Benchmark
  public Decision humanCachedToken() {
    return enforcer.decide(cachedToken);
  }

  /** Machine plane: checksum, key-file lookup, SHA-256 and constant-time hash comparison. */
  @Benchmark
  public Decision machineKey() {
    return enforcer.decide(machineKey);
  }

  /** {@link #machineKey} with a rate limit on: the caller's bucket takes one token. */
  @Benchmark
  public Decision machineKeyRateLimited() {
    return limitedEnforcer.decide(machineKey);
  }

  /** {@link #machineKey} with two limits: the caller's and the tenant's bucket each take one. */
  @Benchmark
  public Decision machineKeyRateLimitedWithTenant() {
    return tenantLimitedEnforcer.decide(machineKey);
  }

  /** A human token on a machine route: refused by its carrier, no verifier called. */
  @Benchmark
  public Decision crossPlaneReject() {
    return enforcer.decide(crossPlane);
  }

  /** A path no rule maps: refused before any credential is looked at. */
  @Benchmark
  public Decision unmappedReject() {
    return enforcer.decide(unmapped);
  }
}
