package dev.planeguard.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The algorithms planeguard verifies and which key fits which algorithm. One mapping serves real
 * tokens and the Wycheproof vectors alike.
 */
public final class Signatures {

  /** RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA on the NIST curves, and HMAC (opt-in only). */
  public static final List<String> SUPPORTED =
      List.of(
          "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "HS256",
          "HS384", "HS512");

  private static final Map<String, Curve> EC_CURVES =
      Map.of("ES256", Curve.P_256, "ES384", Curve.P_384, "ES512", Curve.P_521);

  /** The minimum HMAC secret length per algorithm, in bytes (RFC 7518 §3.2). */
  private static final Map<String, Integer> HMAC_MIN_BYTES =
      Map.of("HS256", 32, "HS384", 48, "HS512", 64);

  private Signatures() {}

  /** Whether {@code name} is an HMAC algorithm. */
  public static boolean isHmac(String name) {
    return name.startsWith("HS");
  }

  /** The smallest secret, in bytes, an HMAC algorithm accepts. */
  public static int hmacMinBytes(String name) {
    return HMAC_MIN_BYTES.getOrDefault(name, 32);
  }

  /** Whether {@code name} is any casing of {@code none}. */
  public static boolean isNone(String name) {
    return name.toLowerCase(Locale.ROOT).equals("none");
  }

  /**
   * Whether {@code key} may verify a signature made with {@code alg}: the key type and curve fit
   * the algorithm family, the key's own {@code alg} (if any) is exactly {@code alg}, and its {@code
   * use} / {@code key_ops} (if any) allow verification.
   */
  public static boolean fits(JWSAlgorithm alg, JWK key) {
    String name = alg.getName();
    if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(name)) {
      return false;
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      return false;
    }
    Set<KeyOperation> ops = key.getKeyOperations();
    if (ops != null && !ops.contains(KeyOperation.VERIFY)) {
      return false;
    }
    if (name.startsWith("RS") || name.startsWith("PS")) {
      return key instanceof RSAKey;
    }
    Curve curve = EC_CURVES.get(name);
    return curve != null && key instanceof ECKey ec && curve.equals(ec.getCurve());
  }

  /**
   * A verifier for a public key, or {@code null} if Nimbus cannot build one (the key is then
   * unusable). Nimbus verifiers are thread-safe and are built once per published key.
   */
  public static @Nullable JWSVerifier verifier(JWK key) {
    return verifier(key, null);
  }

  /**
   * A verifier for a public key whose signature checks run in {@code provider} (the JDK's providers
   * when {@code null}), or {@code null} if Nimbus cannot build one. The provider is set on this
   * verifier only, never installed for the JVM.
   */
  public static @Nullable JWSVerifier verifier(JWK key, @Nullable Provider provider) {
    JWSVerifier verifier;
    try {
      if (key instanceof RSAKey rsa) {
        verifier = new RSASSAVerifier(providerKey(rsa.toRSAPublicKey(), provider));
      } else if (key instanceof ECKey ec) {
        verifier = new ECDSAVerifier(ec);
      } else {
        return null;
      }
    } catch (JOSEException | RuntimeException e) {
      return null;
    }
    if (provider != null) {
      verifier.getJCAContext().setProvider(provider);
    }
    return verifier;
  }

  /**
   * The key as {@code provider}'s own RSA key object, converted once here rather than by the
   * provider on every verification (a native provider copies a foreign key into native memory each
   * time); the key itself if there is no provider or it cannot convert.
   */
  private static RSAPublicKey providerKey(RSAPublicKey key, @Nullable Provider provider) {
    if (provider == null) {
      return key;
    }
    try {
      return KeyFactory.getInstance("RSA", provider).translateKey(key) instanceof RSAPublicKey own
          ? own
          : key;
    } catch (GeneralSecurityException | RuntimeException e) {
      return key;
    }
  }
}
