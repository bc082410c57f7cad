package dev.planeguard.benchmarks;

import com.nimbusds.jose.JWSAlgorithm;
import dev.planeguard.Decision;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanCrypto;
import dev.planeguard.InboundRequest;
import dev.planeguard.JwtVerifier;
import dev.planeguard.TokenVerifier;
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
 * Engine decisions on human tokens the verifier has not seen before, so every call parses the
 * token, checks its signature and claims and puts it in the verified-token cache.
 *
 * <p>Each state mints {@link #POOL} tokens of one algorithm before measurement and cycles through
 * them. The verifier's token cache is bounded to {@link #CACHE_CHARS} characters (a few dozen
 * tokens), far smaller than the pool, so a token is evicted long before it comes round again. (The
 * cache's admission policy may keep a few tokens for good; the tests bound that share.)
 *
 * <p>The {@code Native} variants are the same decisions with signatures verified by the native
 * provider of {@code planeguard-crypto-native} ({@link HumanCrypto#NATIVE}); their targets are
 * ratios to the bare Nimbus baselines on the JDK's provider, in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NewTokenBenchmark {

  /** Tokens per pool; a power of two. */
  static final int POOL = 2048;

  /** Bound of the verified-token cache: 8 Ki characters, about ten of these tokens. */
  static final long CACHE_CHARS = 8 * 1024;

  /** A pool of tokens of one algorithm, and an enforcer that has seen none of them. */
  @State(Scope.Benchmark)
  @SuppressWarnings("NullAway.Init") // JMH calls setUp() before any benchmark method
  public abstract static class Pool {
    /** The verifiers' clock; tests replace it before {@link #setUp()}. */
    Clock clock = Clock.systemUTC();

    /** Wraps the token verifier; tests count calls through it. */
    UnaryOperator<TokenVerifier> wrapTokens = UnaryOperator.identity();

    @Nullable Fixture fixture;
    JwtVerifier verifier;
    Enforcer enforcer;
    InboundRequest[] requests;
    int next;

    abstract JWSAlgorithm algorithm();

    /** Which cryptography verifies signatures; the JDK's unless a state says otherwise. */
    HumanCrypto crypto() {
      return HumanCrypto.JDK;
    }

    @Setup
    public void setUp() {
      Fixture f = new Fixture(clock);
      fixture = f;
      verifier = f.jwtVerifier(CACHE_CHARS, crypto());
      enforcer = f.enforcer(verifier, f.keyVerifier(), wrapTokens, UnaryOperator.identity());
      requests = new InboundRequest[POOL];
      for (int i = 0; i < POOL; i++) {
        requests[i] = Fixture.bearer("/api/v1/accounts/me", f.token(algorithm(), i));
      }
      // Reads the JWKS file before measurement, with a token that is not in the pool.
      enforcer.decide(Fixture.bearer("/api/v1/accounts/me", f.token(algorithm(), -1)));
    }

    /** The next request of the pool, round and round. */
    InboundRequest nextRequest() {
      InboundRequest r = requests[next];
      next = (next + 1) & (POOL - 1);
      return r;
    }

    @TearDown
    public void tearDown() {
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  /** RS256 tokens (RSA-2048). */
  public static class Rs256 extends Pool {
    @Override
    JWSAlgorithm algorithm() {
      return JWSAlgorithm.RS256;
    }
  }

  /** ES256 tokens (P-256). */
  public static class Es256 extends Pool {
    @Override
    JWSAlgorithm algorithm() {
      return JWSAlgorithm.ES256;
    }
  }

  /** RS256 tokens, signatures verified by the native provider. */
  public static class Rs256Native extends Rs256 {
    @Override
    HumanCrypto crypto() {
      return HumanCrypto.NATIVE;
    }
  }

  /** ES256 tokens, signatures verified by the native provider. */
  public static class Es256Native extends Es256 {
    @Override
    HumanCrypto crypto() {
      return HumanCrypto.NATIVE;
    }
  }

  /** Human plane, an RS256 token not seen before: full verification. */
  @Benchmark
  public Decision humanNewTokenRs256(Rs256 pool) {
    return pool.enforcer.decide(pool.nextRequest());
  }

  /** Human plane, an ES256 token not seen before: full verification. */
  @Benchmark
  public Decision humanNewTokenEs256(Es256 pool) {
    return pool.enforcer.decide(pool.nextRequest());
  }

  /** {@link #humanNewTokenRs256} with {@code crypto-native}. */
  @Benchmark
  public Decision humanNewTokenRs256Native(Rs256Native pool) {
    return pool.enforcer.decide(pool.nextRequest());
  }

  /** {@link #humanNewTokenEs256} with {@code crypto-native}. */
  @Benchmark
  public Decision humanNewTokenEs256Native(Es256Native pool) {
    return pool.enforcer.decide(pool.nextRequest());
  }
}
