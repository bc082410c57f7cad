package dev.planeguard.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * The baselines do the work their names say: they accept the benchmark's token and refuse a
 * tampered one (so the signature is really checked), the processors also refuse wrong claims, and
 * Spring's decoder never fetches (its JWKS host does not exist).
 */
class BaselineBenchmarkTest {

  final BaselineBenchmark b = new BaselineBenchmark();

  @BeforeEach
  void setUp() throws Exception {
    b.setUp();
  }

  @AfterEach
  void tearDown() {
    b.tearDown();
  }

  /** The token with the payload of another, validly signed one: only the signature is wrong. */
  String tampered(String token, JWSAlgorithm alg) {
    String[] parts = token.split("\\.");
    String other = b.fixture.token(alg, 7);
    return parts[0] + "." + other.split("\\.")[1] + "." + parts[2];
  }

  @Test
  void bareNimbusChecksTheSignature() throws Exception {
    assertThat(b.bareNimbusRs256()).isTrue();
    assertThat(b.bareNimbusEs256()).isTrue();
    b.rs256Pool[b.next] = tampered(b.rs256Pool[b.next], JWSAlgorithm.RS256);
    assertThat(b.bareNimbusRs256()).isFalse();
    b.es256Pool[b.next] = tampered(b.es256Pool[b.next], JWSAlgorithm.ES256);
    assertThat(b.bareNimbusEs256()).isFalse();
  }

  @Test
  void bareNimbusCyclesThroughTheNewTokenPool() throws Exception {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < NewTokenBenchmark.POOL; i++) {
      seen.add(b.rs256Pool[b.next]);
      assertThat(b.bareNimbusRs256()).isTrue();
    }
    assertThat(seen).hasSize(NewTokenBenchmark.POOL);
  }

  @Test
  void nimbusProcessorChecksSignatureAndClaims() throws Exception {
    assertThat(b.nimbusJwtProcessorRs256().getSubject()).isEqualTo("user_2b7QnWkq9JmXc0");
    String token = b.rs256Token;
    b.rs256Token = tampered(token, JWSAlgorithm.RS256);
    assertThatThrownBy(b::nimbusJwtProcessorRs256).isInstanceOf(BadJOSEException.class);
    b.rs256Token = b.fixture.issuer.token().audience("another-api").sign();
    assertThatThrownBy(b::nimbusJwtProcessorRs256).isInstanceOf(BadJOSEException.class);
    b.rs256Token = b.fixture.issuer.token().issuer("https://evil.example.test").sign();
    assertThatThrownBy(b::nimbusJwtProcessorRs256).isInstanceOf(BadJOSEException.class);
  }

  @Test
  void springDecoderChecksSignatureAndClaimsFromItsFilledCacheOnly() {
    Jwt jwt = b.springSecurityNimbusJwtDecoder();
    assertThat(jwt.getSubject()).isEqualTo("user_2b7QnWkq9JmXc0");
    assertThat(jwt.getAudience()).containsExactly(Fixture.AUDIENCE);
    assertThat(BaselineBenchmark.JWKS_URI).startsWith("https://login.example.test/");
    String token = b.rs256Token;
    b.rs256Token = tampered(token, JWSAlgorithm.RS256);
    assertThatThrownBy(b::springSecurityNimbusJwtDecoder).isInstanceOf(BadJwtException.class);
    b.rs256Token = b.fixture.issuer.token().audience("another-api").sign();
    assertThatThrownBy(b::springSecurityNimbusJwtDecoder)
        .isInstanceOf(JwtValidationException.class);
    b.rs256Token = b.fixture.issuer.token().issuer("https://evil.example.test").sign();
    assertThatThrownBy(b::springSecurityNimbusJwtDecoder)
        .isInstanceOf(JwtValidationException.class);
    // Still the JWKS put in the cache before measurement, nothing fetched or added.
    assertThat(b.springJwksCache.getNativeCache()).containsOnlyKeys(BaselineBenchmark.JWKS_URI);
  }
}
