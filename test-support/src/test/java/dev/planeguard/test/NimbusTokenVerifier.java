package dev.planeguard.test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.planeguard.Detail;
import dev.planeguard.HumanPrincipal;
import dev.planeguard.Reason;
import dev.planeguard.TokenVerifier;
import dev.planeguard.Verification;
import java.net.MalformedURLException;
import java.util.Set;

/**
 * A plain Nimbus verifier against the issuer's JWKS URL, for the test servers of the parity kit's
 * own tests: real signature checks, exact issuer and audience. Not planeguard's verifier (that
 * lives in core); just enough to decide real tokens honestly.
 */
final class NimbusTokenVerifier implements TokenVerifier {

  private final DefaultJWTProcessor<SecurityContext> processor;

  NimbusTokenVerifier(TestIssuer issuer) {
    this.processor = processor(issuer);
  }

  static DefaultJWTProcessor<SecurityContext> processor(TestIssuer issuer) {
    JWKSource<SecurityContext> keys;
    try {
      keys = JWKSourceBuilder.create(issuer.jwksUri().toURL()).retrying(false).build();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
    DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
    p.setJWSKeySelector(
        new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keys));
    p.setJWTClaimsSetVerifier(
        new DefaultJWTClaimsVerifier<>(
            issuer.audience(),
            new JWTClaimsSet.Builder().issuer(issuer.issuerId()).build(),
            Set.of("sub", "iat", "exp")));
    return p;
  }

  @Override
  public Verification verify(String token) {
    try {
      JWTClaimsSet claims = processor.process(token, null);
      return Verification.verified(
          new HumanPrincipal(
              claims.getSubject(),
              claims.getIssuer(),
              claims.getStringClaim("sid"),
              null,
              Set.of(),
              claims.getClaims()));
    } catch (Exception e) {
      return Verification.rejected(Reason.INVALID_TOKEN, Detail.BAD_SIGNATURE);
    }
  }
}
