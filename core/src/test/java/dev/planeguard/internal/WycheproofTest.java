package dev.planeguard.internal;

import static dev.planeguard.testing.WycheproofFiles.list;
import static dev.planeguard.testing.WycheproofFiles.load;
import static dev.planeguard.testing.WycheproofFiles.map;
import static dev.planeguard.testing.WycheproofFiles.publicKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Detail;
import dev.planeguard.HumanIssuer;
import java.io.IOException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Project Wycheproof vectors (C2SP/wycheproof, Apache-2.0, see {@code wycheproof/NOTICE}) through
 * planeguard's own JWS layer: {@link Jws#parse} (syntax and header rules), the algorithm pin, the
 * {@link JwksSanitizer} for published keys, key selection and {@link Signatures}. Every vector gets
 * its labelled result, except the ids listed below, each with the reason planeguard answers
 * differently.
 *
 * <p>{@code acceptable} labels (RSA PKCS#1 signatures whose DigestInfo omits the NULL parameters):
 * either answer is correct per Wycheproof; planeguard takes the platform provider's, and the test
 * asserts exactly that, so a change of provider behaviour is noticed.
 */
class WycheproofTest {

  /** Every asymmetric algorithm planeguard supports: the pin lets the vectors reach the keys. */
  static final Set<String> ASYMMETRIC =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  static final Set<String> HMAC = Set.of("HS256", "HS384", "HS512");

  /** json_web_signature_test: labelled valid, rejected by planeguard on purpose. */
  static final Map<Integer, Detail> JWS_VALID_BUT_REJECTED =
      Map.ofEntries(
          // Empty payload segment: valid JWS, but a planeguard token has three non-empty segments
          // (a JWT always has a claims payload).
          Map.entry(259, Detail.MALFORMED),
          Map.entry(264, Detail.MALFORMED),
          Map.entry(268, Detail.MALFORMED),
          Map.entry(272, Detail.MALFORMED),
          Map.entry(320, Detail.MALFORMED),
          Map.entry(325, Detail.MALFORMED),
          // 346, 350: header PS384, the key's own alg is PS256. planeguard pins the algorithm to
          // the key's alg when the key has one (a label anomaly of the vector file).
          Map.entry(346, Detail.BAD_SIGNATURE),
          Map.entry(350, Detail.BAD_SIGNATURE),
          // 347, 351: header ES512, the key's own alg is "ES521" (sic): same rule.
          Map.entry(347, Detail.BAD_SIGNATURE),
          Map.entry(351, Detail.BAD_SIGNATURE),
          // 372: '?' inserted in the header segment; 373: in the payload segment. Not base64url:
          // the strict compact form refuses it.
          Map.entry(372, Detail.MALFORMED),
          Map.entry(373, Detail.MALFORMED));

  /**
   * json_web_signature_test: labelled invalid, byte-identical to valid tc 357 (label anomaly), so
   * planeguard accepts them. The test asserts the identity.
   */
  static final Set<Integer> JWS_INVALID_BUT_IDENTICAL_TO_357 = Set.of(367, 370);

  /**
   * json_web_key_test: labelled valid, but the key set holds only {@code oct} keys, which
   * planeguard never takes from a JWKS (HMAC secrets come only from configuration): without a
   * configured secret, HS* is not an allowed algorithm ({@code DISALLOWED_ALG}). See {@link
   * #hmacKeysOfTheKeySetVectorsAsConfiguredSecrets()} for the same keys configured as secrets.
   */
  static final Set<Integer> JWK_VALID_BUT_OCT_IN_JWKS = Set.of(2, 13, 14, 15);

  /**
   * ECDSA signatures whose {@code x(kG)} is at least the group order n ("k*G has a large
   * x-coordinate", "x = n + r is the smallest possible x with a reduction"), labelled valid: the
   * JDK 17 SunEC provider rejects these valid signatures (newer JDKs accept them). planeguard never
   * accepts what the platform rejects; for these ids the test asserts planeguard's answer equals
   * the provider's (fail closed either way), for every other id the label.
   */
  static final Map<String, Set<Integer>> ECDSA_PROVIDER_DECIDES =
      Map.of(
          "ecdsa_secp256r1_sha256_p1363_test.json", Set.of(115, 257),
          "ecdsa_secp384r1_sha384_p1363_test.json", Set.of(147, 275),
          "ecdsa_secp521r1_sha512_p1363_test.json", Set.of(184, 313));

  static final List<String> SIGNATURE_FILES =
      List.of(
          "ecdsa_secp256r1_sha256_p1363_test.json",
          "ecdsa_secp384r1_sha384_p1363_test.json",
          "ecdsa_secp521r1_sha512_p1363_test.json",
          "rsa_pss_2048_sha256_mgf1_32_test.json",
          "rsa_pss_2048_sha384_mgf1_48_test.json",
          "rsa_pss_3072_sha256_mgf1_32_test.json",
          "rsa_pss_4096_sha384_mgf1_48_test.json",
          "rsa_pss_4096_sha512_mgf1_64_test.json",
          "rsa_signature_2048_sha256_test.json",
          "rsa_signature_2048_sha384_test.json",
          "rsa_signature_2048_sha512_test.json",
          "rsa_signature_3072_sha256_test.json",
          "rsa_signature_3072_sha384_test.json",
          "rsa_signature_4096_sha256_test.json",
          "rsa_signature_4096_sha384_test.json",
          "rsa_signature_4096_sha512_test.json");

  /**
   * planeguard's answer for one compact JWS: {@code null} for valid, else the detail.
   *
   * @param published the issuer's JWKS document (sanitised here, as if fetched)
   * @param hmacSecret the configured HMAC secret, or {@code null}
   */
  static @Nullable Detail verdict(String jws, String published, byte @Nullable [] hmacSecret)
      throws Exception {
    Set<String> algorithms = new java.util.HashSet<>(ASYMMETRIC);
    MACVerifier mac = null;
    if (hmacSecret != null) {
      algorithms.addAll(HMAC);
      mac = new MACVerifier(hmacSecret);
    }
    JWKSet keys = JwksSanitizer.sanitize(published, "wycheproof");
    IssuerKeys.Snapshot snapshot = IssuerKeys.Snapshot.of(keys);
    try {
      Jws parsed = Jws.parse(jws);
      if (!algorithms.contains(parsed.alg())) {
        return Detail.DISALLOWED_ALG;
      }
      parsed.verifySignature(
          mac, (kid, alg) -> kid == null ? Jws.onlyKeyFor(alg, snapshot) : snapshot.get(kid));
      return null;
    } catch (Jws.Rejected r) {
      return r.detail();
    }
  }

  @TestFactory
  Stream<DynamicTest> jsonWebSignatureVectors() throws Exception {
    Map<String, Object> file = load("json_web_signature_test.json");
    List<DynamicTest> tests = new ArrayList<>();
    String tc357 = jwsOf(file, 357);
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      Map<String, Object> key =
          map(group.containsKey("public") ? group.get("public") : group.get("private"));
      boolean oct = "oct".equals(key.get("kty"));
      byte[] secret = oct ? Base64URL.from((String) key.get("k")).decode() : null;
      String published =
          oct ? "{\"keys\":[]}" : JSONObjectUtils.toJSONString(Map.of("keys", List.of(key)));
      for (Map<String, Object> t : list(group.get("tests"))) {
        int id = ((Number) t.get("tcId")).intValue();
        String jws =
            t.get("jws") instanceof String s ? s : JSONObjectUtils.toJSONString(map(t.get("jws")));
        String label = (String) t.get("result");
        tests.add(
            DynamicTest.dynamicTest(
                "tc " + id + " " + label + " " + t.get("comment"),
                () -> {
                  Detail got = verdict(jws, published, secret);
                  if (JWS_VALID_BUT_REJECTED.containsKey(id)) {
                    assertThat(label).isEqualTo("valid");
                    assertThat(got).isEqualTo(JWS_VALID_BUT_REJECTED.get(id));
                  } else if (JWS_INVALID_BUT_IDENTICAL_TO_357.contains(id)) {
                    assertThat(label).isEqualTo("invalid");
                    assertThat(jws).isEqualTo(tc357);
                    assertThat(got).isNull();
                  } else if (label.equals("valid")) {
                    assertThat(got).as("tc %d", id).isNull();
                  } else {
                    assertThat(got).as("tc %d", id).isNotNull();
                  }
                }));
      }
    }
    assertThat(tests).hasSize(((Number) file.get("numberOfTests")).intValue());
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> jsonWebKeyVectors() throws Exception {
    Map<String, Object> file = load("json_web_key_test.json");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      Object keySet = group.containsKey("public") ? group.get("public") : group.get("private");
      String published = JSONObjectUtils.toJSONString(map(keySet));
      for (Map<String, Object> t : list(group.get("tests"))) {
        int id = ((Number) t.get("tcId")).intValue();
        String jws = (String) t.get("jws");
        String label = (String) t.get("result");
        tests.add(
            DynamicTest.dynamicTest(
                "tc " + id + " " + label + " " + t.get("comment"),
                () -> {
                  Detail got = verdict(jws, published, null);
                  if (JWK_VALID_BUT_OCT_IN_JWKS.contains(id)) {
                    assertThat(label).isEqualTo("valid");
                    assertThat(got).isEqualTo(Detail.DISALLOWED_ALG);
                  } else if (label.equals("valid")) {
                    assertThat(got).as("tc %d", id).isNull();
                  } else {
                    assertThat(got).as("tc %d", id).isNotNull();
                  }
                }));
      }
    }
    assertThat(tests).hasSize(((Number) file.get("numberOfTests")).intValue());
    return tests.stream();
  }

  /**
   * The HMAC key-set vectors with their secret given as planeguard's configured HMAC secret: long
   * keys verify, short and empty keys are a configuration error (never a silent acceptance).
   */
  @Test
  void hmacKeysOfTheKeySetVectorsAsConfiguredSecrets() throws Exception {
    Map<String, Object> file = load("json_web_key_test.json");
    Map<Integer, String> outcome = new LinkedHashMap<>();
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      Object keySet = group.containsKey("public") ? group.get("public") : group.get("private");
      List<Map<String, Object>> keys = list(map(keySet).get("keys"));
      for (Map<String, Object> t : list(group.get("tests"))) {
        int id = ((Number) t.get("tcId")).intValue();
        String jws = (String) t.get("jws");
        String kid;
        try {
          kid = Jws.parse(jws).kid();
        } catch (Jws.Rejected r) {
          continue; // tc 8, 9: empty payload, MALFORMED whatever the key
        }
        Map<String, Object> key =
            keys.stream()
                .filter(k -> kid != null && kid.equals(k.get("kid")))
                .findFirst()
                .orElse(null);
        if (key == null
            || !"oct".equals(key.get("kty"))
            || !"sig".equals(key.get("use"))
            || !String.valueOf(key.get("alg")).startsWith("HS")
            || keys.size() > 2
            || (keys.size() == 2 && keys.get(0).get("kid").equals(keys.get(1).get("kid")))) {
          continue;
        }
        byte[] secret = Base64URL.from((String) key.get("k")).decode();
        String alg = (String) key.get("alg");
        try {
          HumanIssuer.builder("https://issuer.example")
              .hmacSecret(secret)
              .algorithms(alg)
              .audiences("a")
              .build();
        } catch (ConfigurationException e) {
          outcome.put(id, "refused");
          continue;
        }
        Detail got = verdict(jws, "{\"keys\":[]}", secret);
        outcome.put(id, got == null ? "valid" : got.name());
      }
    }
    assertThat(outcome)
        .containsExactlyInAnyOrderEntriesOf(
            Map.ofEntries(
                // tc 1 is labelled invalid for the mixed key set; as a configured secret there is
                // no key set, and its HMAC is correct.
                Map.entry(1, "valid"),
                Map.entry(2, "valid"),
                Map.entry(3, "BAD_SIGNATURE"),
                Map.entry(10, "refused"),
                Map.entry(11, "refused"),
                Map.entry(12, "refused"),
                Map.entry(13, "valid"),
                Map.entry(14, "valid"),
                Map.entry(15, "valid"),
                Map.entry(16, "refused"),
                Map.entry(17, "refused"),
                Map.entry(18, "refused")));
  }

  @TestFactory
  Stream<DynamicTest> signatureVectors() throws Exception {
    List<DynamicTest> tests = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    for (String name : SIGNATURE_FILES) {
      Map<String, Object> file = load(name);
      int count = 0;
      for (Map<String, Object> group : list(file.get("testGroups"))) {
        JWK jwk = publicKey(group);
        String type = (String) group.get("type");
        String bits = ((String) group.get("sha")).substring(4);
        JWSAlgorithm alg =
            JWSAlgorithm.parse(
                (type.startsWith("Ecdsa") ? "ES" : type.startsWith("RsassaPss") ? "PS" : "RS")
                    + bits);
        JWSVerifier verifier = Signatures.verifier(jwk);
        for (Map<String, Object> t : list(group.get("tests"))) {
          count++;
          int id = ((Number) t.get("tcId")).intValue();
          byte[] msg = hex.parseHex((String) t.get("msg"));
          byte[] sig = hex.parseHex((String) t.get("sig"));
          String label = (String) t.get("result");
          tests.add(
              DynamicTest.dynamicTest(
                  name + " tc " + id + " " + label,
                  () -> {
                    assertThat(verifier).isNotNull();
                    assertThat(Signatures.fits(alg, jwk)).isTrue();
                    boolean got;
                    try {
                      got = verifier.verify(new JWSHeader(alg), msg, Base64URL.encode(sig));
                    } catch (Exception e) {
                      got = false;
                    }
                    if (label.equals("acceptable")
                        || ECDSA_PROVIDER_DECIDES.getOrDefault(name, Set.of()).contains(id)) {
                      assertThat(label).isNotEqualTo("invalid");
                      assertThat(got).as("tc %d", id).isEqualTo(provider(alg, jwk, msg, sig));
                    } else {
                      assertThat(got).as("tc %d", id).isEqualTo(label.equals("valid"));
                    }
                  }));
        }
      }
      assertThat(count).isEqualTo(((Number) file.get("numberOfTests")).intValue());
    }
    return tests.stream();
  }

  /** The platform provider's own answer, without Nimbus or planeguard. */
  static boolean provider(JWSAlgorithm alg, JWK jwk, byte[] msg, byte[] sig) throws Exception {
    String bits = alg.getName().substring(2);
    Signature s;
    if (jwk instanceof ECKey ec) {
      s = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
      s.initVerify(ec.toECPublicKey());
    } else {
      s = Signature.getInstance("SHA" + bits + "withRSA");
      s.initVerify(((RSAKey) jwk).toRSAPublicKey());
    }
    s.update(msg);
    try {
      return s.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }

  static String jwsOf(Map<String, Object> file, int id) {
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      for (Map<String, Object> t : list(group.get("tests"))) {
        if (((Number) t.get("tcId")).intValue() == id) {
          return (String) t.get("jws");
        }
      }
    }
    throw new AssertionError("no tc " + id);
  }

  @Test
  void noVectorFileIsReadFromOutsideTheModule() {
    assertThat(WycheproofTest.class.getResource("/wycheproof/NOTICE")).isNotNull();
    assertThatThrownBy(() -> load("missing.json")).isInstanceOf(IOException.class);
  }
}
