package dev.planeguard.internal;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.math.BigInteger;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a JWKS document into the set of keys planeguard will verify with. A key is dropped, with a
 * log line naming its kid and why, when it:
 *
 * <ul>
 *   <li>is symmetric ({@code kty} {@code oct}): HMAC secrets never come from a JWKS;
 *   <li>carries private members ({@code d}, {@code p}, {@code q}, {@code dp}, {@code dq}, {@code
 *       qi}, {@code oth}, {@code k}): a publisher that leaks private keys is not trusted with them;
 *   <li>has a {@code use} other than {@code sig}, or {@code key_ops} without {@code verify};
 *   <li>is not RSA or EC on P-256, P-384 or P-521, or does not parse (for EC: not on its curve);
 *   <li>is RSA with a modulus under 2048 bits, an even or tiny public exponent, or the ROCA
 *       fingerprint (CVE-2017-15361, keys from a weak on-chip generator, factorable);
 *   <li>shares its kid with another surviving key: an ambiguous kid matches nothing.
 * </ul>
 *
 * <p>Certificate members ({@code x5c}, {@code x5u}) are removed before parsing: planeguard never
 * uses them, so it does not parse untrusted certificates either. A document that is not a JSON
 * object with a {@code keys} array is refused as a whole; a bad key only drops that key.
 */
public final class JwksSanitizer {

  /** Largest JWKS document accepted: 512 KiB. */
  public static final int MAX_DOCUMENT_BYTES = 512 * 1024;

  /** Smallest RSA modulus accepted, in bits. */
  public static final int MIN_RSA_BITS = 2048;

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");
  private static final Set<String> PRIVATE_MEMBERS =
      Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  private JwksSanitizer() {}

  /**
   * Sanitises a JWKS document.
   *
   * @param json the document
   * @param source where it came from, for log lines
   * @return the keys planeguard may verify with, possibly none
   * @throws ParseException if the document is not a JSON object with a {@code keys} array
   */
  public static JWKSet sanitize(String json, String source) throws ParseException {
    Map<String, Object> document = JSONObjectUtils.parse(json, MAX_DOCUMENT_BYTES);
    Object keys = document.get("keys");
    if (!(keys instanceof List<?> list)) {
      throw new ParseException("a JWKS must be an object with a \"keys\" array", 0);
    }
    List<JWK> kept = new ArrayList<>(list.size());
    for (Object element : list) {
      if (!(element instanceof Map<?, ?> raw)) {
        drop(source, null, "not a JSON object");
        continue;
      }
      JWK key = accept(raw, source);
      if (key != null) {
        kept.add(key);
      }
    }
    Map<String, Integer> kidCounts = new HashMap<>();
    for (JWK key : kept) {
      if (key.getKeyID() != null) {
        kidCounts.merge(key.getKeyID(), 1, Integer::sum);
      }
    }
    List<JWK> unique = new ArrayList<>(kept.size());
    for (JWK key : kept) {
      String kid = key.getKeyID();
      if (kid != null && kidCounts.getOrDefault(kid, 0) > 1) {
        drop(source, kid, "its kid is shared by another key");
      } else {
        unique.add(key);
      }
    }
    return new JWKSet(unique);
  }

  private static @Nullable JWK accept(Map<?, ?> raw, String source) {
    Map<String, Object> members = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : raw.entrySet()) {
      members.put(String.valueOf(e.getKey()), e.getValue());
    }
    String kid = members.get("kid") instanceof String s ? s : null;
    Object kty = members.get("kty");
    if ("oct".equals(kty)) {
      drop(source, kid, "symmetric (oct) keys are never taken from a JWKS");
      return null;
    }
    for (String member : PRIVATE_MEMBERS) {
      if (members.containsKey(member)) {
        drop(source, kid, "it carries private key material");
        return null;
      }
    }
    members.remove("x5c");
    members.remove("x5u");
    JWK key;
    try {
      key = JWK.parse(members);
    } catch (ParseException | RuntimeException e) {
      drop(source, kid, "it does not parse as a public key");
      return null;
    }
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      drop(source, kid, "its use is not sig");
      return null;
    }
    if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
      drop(source, kid, "its key_ops do not include verify");
      return null;
    }
    if (key instanceof RSAKey rsa) {
      BigInteger n = rsa.getModulus().decodeToBigInteger();
      BigInteger e = rsa.getPublicExponent().decodeToBigInteger();
      if (n.bitLength() < MIN_RSA_BITS) {
        drop(source, kid, "its RSA modulus is under " + MIN_RSA_BITS + " bits");
        return null;
      }
      if (!e.testBit(0) || e.compareTo(BigInteger.valueOf(3)) < 0) {
        drop(source, kid, "its RSA public exponent is even or smaller than 3");
        return null;
      }
      if (Roca.hasFingerprint(n)) {
        drop(source, kid, "its RSA modulus has the ROCA fingerprint (CVE-2017-15361)");
        return null;
      }
      return key;
    }
    if (key instanceof ECKey ec) {
      String curve = ec.getCurve().getName();
      if (curve.equals("P-256") || curve.equals("P-384") || curve.equals("P-521")) {
        return key;
      }
      drop(source, kid, "its curve is not P-256, P-384 or P-521");
      return null;
    }
    drop(source, kid, "only RSA and EC keys are supported");
    return null;
  }

  private static void drop(String source, @Nullable String kid, String why) {
    LOG.warn(
        "planeguard ignores a key in the JWKS of {}: kid={} because {}",
        source,
        kid == null ? "-" : Text.quote(kid, 64),
        why);
  }

  /**
   * The ROCA fingerprint test (Nemec et al., CCS 2017): moduli made by the affected generator are
   * congruent, modulo every prime {@code p} up to 167, to a power of 65537 (those primes divide the
   * generator's primorial for every key size). A random modulus passes all of them with negligible
   * probability.
   */
  static final class Roca {
    private static final int[] PRIMES = {
      3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
      101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167
    };
    private static final boolean[][] POWERS = new boolean[PRIMES.length][];

    static {
      for (int k = 0; k < PRIMES.length; k++) {
        int p = PRIMES[k];
        boolean[] member = new boolean[p];
        int g = 65537 % p;
        int x = 1;
        do {
          member[x] = true;
          x = x * g % p;
        } while (x != 1);
        POWERS[k] = member;
      }
    }

    private Roca() {}

    static boolean hasFingerprint(BigInteger modulus) {
      for (int k = 0; k < PRIMES.length; k++) {
        int r = modulus.mod(BigInteger.valueOf(PRIMES[k])).intValue();
        if (!POWERS[k][r]) {
          return false;
        }
      }
      return true;
    }
  }
}
