package dev.planeguard.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
import org.springframework.cache.concurrent.ConcurrentMapCache;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Baselines, measured in the same jar and run as planeguard: the same keys and the same kind of
 * token, verified by bare Nimbus, by Nimbus's {@code DefaultJWTProcessor}, and by Spring Security's
 * resource-server decoder. None of them caches verified tokens, so each call does the full work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@SuppressWarnings("NullAway.Init") // JMH calls setUp() before any benchmark method
public class BaselineBenchmark {

  /** Where Spring's decoder believes the JWKS is; never contacted (its cache is filled). */
  static final String JWKS_URI = Fixture.ISSUER + "/.well-known/jwks.json";

  @Nullable Fixture fixture;
  String rs256Token;
  String es256Token;

  /**
   * The same pools {@link NewTokenBenchmark} cycles through, so the bare baselines verify exactly
   * the tokens planeguard's new-token decisions do.
   */
  String[] rs256Pool;

  String[] es256Pool;
  int next;
  RSASSAVerifier rsaVerifier;
  ECDSAVerifier ecVerifier;
  DefaultJWTProcessor<SecurityContext> processor;
  NimbusJwtDecoder springDecoder;

  /** The JWKS document as Spring's cache holds it: the issuer's public keys. */
  ConcurrentMapCache springJwksCache;

  @Setup
  public void setUp() throws JOSEException {
    Fixture f = new Fixture(Clock.systemUTC());
    fixture = f;
    rs256Token = f.token(JWSAlgorithm.RS256, 0);
    es256Token = f.token(JWSAlgorithm.ES256, 0);
    rs256Pool = new String[NewTokenBenchmark.POOL];
    es256Pool = new String[NewTokenBenchmark.POOL];
    for (int i = 0; i < NewTokenBenchmark.POOL; i++) {
      rs256Pool[i] = f.token(JWSAlgorithm.RS256, i);
      es256Pool[i] = f.token(JWSAlgorithm.ES256, i);
    }
    rsaVerifier = new RSASSAVerifier(f.rsaPublic);
    ecVerifier = new ECDSAVerifier(f.ecPublic);
    processor = nimbusProcessor(f);
    springJwksCache = new ConcurrentMapCache("jwks");
    springJwksCache.put(JWKS_URI, f.publicJwks.toString());
    springDecoder = springDecoder(springJwksCache);
  }

  /**
   * Nimbus's processor configured as close to planeguard's checks as Nimbus allows: RS256 and ES256
   * from the issuer's JWKS, {@code typ} JWT or absent, exact {@code iss}, the audience, {@code
   * sub}/{@code exp}/{@code iat} required, 30 s clock skew.
   */
  static DefaultJWTProcessor<SecurityContext> nimbusProcessor(Fixture f) {
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(
            Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), new ImmutableJWKSet<>(f.publicJwks)));
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(Fixture.AUDIENCE),
            new JWTClaimsSet.Builder().issuer(Fixture.ISSUER).build(),
            Set.of("sub", "exp", "iat"),
            null);
    claims.setMaxClockSkew(30);
    p.setJWTClaimsSetVerifier(claims);
    return p;
  }

  /**
   * Spring Security's decoder as Spring Boot builds it for a resource server with a JWK Set URI,
   * RS256 and ES256, an issuer and an audience: the default validators (type, timestamps, X.509
   * thumbprint) plus issuer and audience. The JWKS comes from a Spring {@code Cache} filled before
   * measurement, the documented way to keep it, so no call fetches.
   */
  static NimbusJwtDecoder springDecoder(ConcurrentMapCache jwksCache) {
    NimbusJwtDecoder decoder =
        NimbusJwtDecoder.withJwkSetUri(JWKS_URI)
            .jwsAlgorithm(SignatureAlgorithm.RS256)
            .jwsAlgorithm(SignatureAlgorithm.ES256)
            .cache(jwksCache)
            .build();
    decoder.setJwtValidator(
        new DelegatingOAuth2TokenValidator<>(
            JwtValidators.createDefaultWithValidators(
                List.of(
                    new JwtIssuerValidator(Fixture.ISSUER),
                    new JwtClaimValidator<List<String>>(
                        JwtClaimNames.AUD,
                        aud -> aud != null && aud.contains(Fixture.AUDIENCE))))));
    return decoder;
  }

  @TearDown
  public void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  /**
   * {@code SignedJWT.parse} and {@code RSASSAVerifier.verify}, nothing else, over the same token
   * pool as {@code humanNewTokenRs256}.
   */
  @Benchmark
  public boolean bareNimbusRs256() throws ParseException, JOSEException {
    String token = rs256Pool[next];
    next = (next + 1) & (NewTokenBenchmark.POOL - 1);
    return SignedJWT.parse(token).verify(rsaVerifier);
  }

  /**
   * {@code SignedJWT.parse} and {@code ECDSAVerifier.verify}, nothing else, over the same token
   * pool as {@code humanNewTokenEs256}.
   */
  @Benchmark
  public boolean bareNimbusEs256() throws ParseException, JOSEException {
    String token = es256Pool[next];
    next = (next + 1) & (NewTokenBenchmark.POOL - 1);
    return SignedJWT.parse(token).verify(ecVerifier);
  }

  /** Nimbus's {@code DefaultJWTProcessor}: key selection, signature, claims. */
  @Benchmark
  public JWTClaimsSet nimbusJwtProcessorRs256()
      throws ParseException, BadJOSEException, JOSEException {
    return processor.process(rs256Token, null);
  }

  /** Spring Security's {@code NimbusJwtDecoder.decode} on the same RS256 token. */
  @Benchmark
  public Jwt springSecurityNimbusJwtDecoder() {
    return springDecoder.decode(rs256Token);
  }
}
