package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Decision;
import dev.planeguard.Detail;
import dev.planeguard.HumanCrypto;
import dev.planeguard.Reason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The new-token benchmarks verify every token in full: the pool is far larger than the token cache,
 * and going round it again finds (almost) nothing in the cache.
 */
class NewTokenBenchmarkTest {

  @Test
  void humanNewTokenRs256VerifiesEveryToken() {
    check(new NewTokenBenchmark.Rs256(), NewTokenBenchmark::humanNewTokenRs256);
  }

  @Test
  void humanNewTokenEs256VerifiesEveryToken() {
    check(new NewTokenBenchmark.Es256(), NewTokenBenchmark::humanNewTokenEs256);
  }

  @Test
  void humanNewTokenRs256NativeVerifiesEveryToken() {
    check(new NewTokenBenchmark.Rs256Native(), NewTokenBenchmark::humanNewTokenRs256Native);
  }

  @Test
  void humanNewTokenEs256NativeVerifiesEveryToken() {
    check(new NewTokenBenchmark.Es256Native(), NewTokenBenchmark::humanNewTokenEs256Native);
  }

  /**
   * The native states verify with the native provider, found through the service as in production
   * (their verifier is in prod mode, where a missing or unloadable native library fails setup
   * instead of falling back); the plain states with the JDK's ({@link #check} asks each state's
   * verifier). Core's tests show that a verifier whose crypto is native gives its provider every
   * signature check.
   */
  @Test
  void theNativeProviderIsConscryptFoundThroughTheService() {
    assertThat(java.util.ServiceLoader.load(dev.planeguard.NativeCrypto.class).findFirst())
        .get()
        .isInstanceOf(dev.planeguard.nativecrypto.ConscryptCrypto.class);
  }

  interface Call<P> {
    Decision run(NewTokenBenchmark benchmark, P pool);
  }

  static <P extends NewTokenBenchmark.Pool> void check(P pool, Call<P> call) {
    OffsetClock clock = new OffsetClock();
    pool.clock = clock;
    pool.setUp();
    try {
      assertThat(pool.verifier.crypto())
          .as(pool.getClass().getSimpleName())
          .isEqualTo(
              pool.getClass().getSimpleName().endsWith("Native")
                  ? HumanCrypto.NATIVE
                  : HumanCrypto.JDK);
      NewTokenBenchmark b = new NewTokenBenchmark();
      assertThat(NewTokenBenchmark.POOL * 700L).isGreaterThan(20 * NewTokenBenchmark.CACHE_CHARS);
      java.util.Set<String> distinct = new java.util.HashSet<>();
      for (int i = 0; i < NewTokenBenchmark.POOL; i++) {
        distinct.add(pool.requests[i].headers("authorization").get(0));
      }
      assertThat(distinct).hasSize(NewTokenBenchmark.POOL);
      for (int i = 0; i < NewTokenBenchmark.POOL; i++) {
        assertThat(call.run(b, pool).reason()).isEqualTo(Reason.AUTHENTICATED);
      }
      // Round again an hour back, before every token's iat: a token verified afresh is
      // IAT_IN_FUTURE, only a cache hit is still AUTHENTICATED.
      clock.set(Duration.ofHours(-1));
      int hits = 0;
      for (int i = 0; i < NewTokenBenchmark.POOL; i++) {
        Decision d = call.run(b, pool);
        if (d.reason() == Reason.AUTHENTICATED) {
          hits++;
        } else {
          assertThat(d.detail()).isEqualTo(Detail.IAT_IN_FUTURE);
        }
      }
      assertThat(hits)
          .as("cache hits in a round of %d", NewTokenBenchmark.POOL)
          .isLessThanOrEqualTo(NewTokenBenchmark.POOL / 50);
    } finally {
      pool.tearDown();
    }
    // A native state gives the provider to its verifier only, never to the whole JVM.
    assertThat(java.security.Security.getProviders())
        .extracting(java.security.Provider::getName)
        .doesNotContain("Conscrypt");
  }
}
