package dev.planeguard.nativecrypto;

import static dev.planeguard.testing.WycheproofFiles.list;
import static dev.planeguard.testing.WycheproofFiles.load;
import static dev.planeguard.testing.WycheproofFiles.map;
import static dev.planeguard.testing.WycheproofFiles.publicKey;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Project Wycheproof vector planeguard's core is tested with (C2SP/wycheproof, Apache-2.0,
 * see {@code wycheproof/NOTICE} in core's test resources) through the same Nimbus verifiers core
 * builds, once with the JDK's providers and once with the native one: the answers are equal, except
 * the vectors listed below, each with the reason.
 */
class WycheproofParityTest {

  static final Provider NATIVE = new ConscryptCrypto().provider();

  /**
   * Accepted by the JDK, rejected by native (native is stricter): tc 8 of every RSA PKCS#1 file,
   * "Missing NULL in the ASN encoding", labelled acceptable. The DigestInfo of the signature omits
   * the NULL parameters of the hash algorithm; RFC 8017 encodes them, and BoringSSL accepts only
   * that one encoding. Rejecting it can refuse no token a conforming issuer signs.
   */
  static final Map<String, Set<Integer>> NATIVE_REJECTS_NON_CANONICAL =
      Map.of(
          "rsa_signature_2048_sha256_test.json", Set.of(8),
          "rsa_signature_2048_sha384_test.json", Set.of(8),
          "rsa_signature_2048_sha512_test.json", Set.of(8),
          "rsa_signature_3072_sha256_test.json", Set.of(8),
          "rsa_signature_3072_sha384_test.json", Set.of(8),
          "rsa_signature_4096_sha256_test.json", Set.of(8),
          "rsa_signature_4096_sha384_test.json", Set.of(8),
          "rsa_signature_4096_sha512_test.json", Set.of(8));

  /**
   * Rejected by the JDK 17 provider, accepted by native: ECDSA signatures whose x(kG) is at least
   * the group order n ("k*G has a large x-coordinate", "x = n + r is the smallest possible x with a
   * reduction"). Wycheproof labels them valid: they are correct signatures that SunEC of JDK 17
   * refuses (newer JDKs accept them). Native answers as the label says.
   */
  static final Map<String, Set<Integer>> JDK17_REJECTS_VALID =
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
        for (Map<String, Object> t : list(group.get("tests"))) {
          count++;
          int id = ((Number) t.get("tcId")).intValue();
          byte[] msg = hex.parseHex((String) t.get("msg"));
          Base64URL sig = Base64URL.encode(hex.parseHex((String) t.get("sig")));
          String label = (String) t.get("result");
          tests.add(
              DynamicTest.dynamicTest(
                  name + " tc " + id + " " + label,
                  () -> {
                    boolean jdk = verify(jwk, null, alg, msg, sig);
                    boolean nat = verify(jwk, NATIVE, alg, msg, sig);
                    if (NATIVE_REJECTS_NON_CANONICAL.getOrDefault(name, Set.of()).contains(id)) {
                      assertThat(label).isEqualTo("acceptable");
                      assertThat(t.get("flags").toString()).contains("MissingNull");
                      assertThat(jdk).isTrue();
                      assertThat(nat).isFalse();
                    } else if (JDK17_REJECTS_VALID.getOrDefault(name, Set.of()).contains(id)) {
                      assertThat(label).isEqualTo("valid");
                      assertThat(nat).isTrue();
                      assertThat(jdk).isEqualTo(Runtime.version().feature() > 17);
                    } else {
                      assertThat(nat).as("tc %d, native vs JDK", id).isEqualTo(jdk);
                      if (!label.equals("acceptable")) {
                        assertThat(nat)
                            .as("tc %d, native vs label", id)
                            .isEqualTo(label.equals("valid"));
                      }
                    }
                  }));
        }
      }
      assertThat(count).isEqualTo(((Number) file.get("numberOfTests")).intValue());
    }
    return tests.stream();
  }

  /**
   * json_web_signature_test: every compact JWS signed with an RSA or EC key, verified with the
   * group's key. HMAC groups never reach the native provider (HMAC stays on the JDK) and are
   * counted, not run; JSON-serialized vectors are not compact tokens and are refused by both.
   */
  @TestFactory
  Stream<DynamicTest> jsonWebSignatureVectors() throws Exception {
    Map<String, Object> file = load("json_web_signature_test.json");
    List<DynamicTest> tests = new ArrayList<>();
    int hmac = 0;
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      Map<String, Object> key =
          map(group.containsKey("public") ? group.get("public") : group.get("private"));
      for (Map<String, Object> t : list(group.get("tests"))) {
        int id = ((Number) t.get("tcId")).intValue();
        if ("oct".equals(key.get("kty"))) {
          hmac++;
          continue;
        }
        JWK jwk = JWK.parse(key).toPublicJWK();
        String jws = t.get("jws") instanceof String s ? s : null;
        tests.add(
            DynamicTest.dynamicTest(
                "tc " + id + " " + t.get("result") + " " + t.get("comment"),
                () ->
                    assertThat(verdict(jws, List.of(jwk), NATIVE))
                        .as("tc %d", id)
                        .isEqualTo(verdict(jws, List.of(jwk), null))));
      }
    }
    assertThat(tests.size() + hmac).isEqualTo(((Number) file.get("numberOfTests")).intValue());
    assertThat(tests).hasSizeGreaterThan(100);
    return tests.stream();
  }

  /** json_web_key_test: the token's key chosen from the group's key set by kid, as core does. */
  @TestFactory
  Stream<DynamicTest> jsonWebKeyVectors() throws Exception {
    Map<String, Object> file = load("json_web_key_test.json");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map<String, Object> group : list(file.get("testGroups"))) {
      Object keySet = group.containsKey("public") ? group.get("public") : group.get("private");
      List<JWK> keys = new ArrayList<>();
      for (Map<String, Object> k : list(map(keySet).get("keys"))) {
        if (!"oct".equals(k.get("kty"))) {
          try {
            keys.add(JWK.parse(k).toPublicJWK());
          } catch (java.text.ParseException e) {
            // a point off its curve: core's JWKS sanitizer leaves such a key out, for both
          }
        }
      }
      for (Map<String, Object> t : list(group.get("tests"))) {
        int id = ((Number) t.get("tcId")).intValue();
        String jws = (String) t.get("jws");
        tests.add(
            DynamicTest.dynamicTest(
                "tc " + id + " " + t.get("result") + " " + t.get("comment"),
                () ->
                    assertThat(verdict(jws, keys, NATIVE))
                        .as("tc %d", id)
                        .isEqualTo(verdict(jws, keys, null))));
      }
    }
    assertThat(tests).hasSize(((Number) file.get("numberOfTests")).intValue());
    return tests.stream();
  }

  /**
   * Whether the compact JWS verifies with the key its kid names among {@code keys} (or the only
   * key, without kid), with Nimbus's verifier for that key on {@code provider} ({@code null}: the
   * JDK).
   */
  static boolean verdict(@Nullable String jws, List<JWK> keys, @Nullable Provider provider) {
    if (jws == null) {
      return false;
    }
    try {
      JWSObject object = JWSObject.parse(jws);
      String kid = object.getHeader().getKeyID();
      JWK key = null;
      for (JWK k : keys) {
        if (kid == null ? keys.size() == 1 : kid.equals(k.getKeyID())) {
          key = k;
        }
      }
      if (key == null) {
        return false;
      }
      return object.verify(verifier(key, provider));
    } catch (Exception e) {
      return false;
    }
  }

  static boolean verify(
      JWK jwk, @Nullable Provider provider, JWSAlgorithm alg, byte[] msg, Base64URL sig) {
    try {
      return verifier(jwk, provider).verify(new JWSHeader(alg), msg, sig);
    } catch (Exception e) {
      return false;
    }
  }

  /**
   * Nimbus's verifier for {@code jwk} on {@code provider}, as core builds it: an RSA key converted
   * once to the provider's own key object.
   */
  static JWSVerifier verifier(JWK jwk, @Nullable Provider provider) throws Exception {
    JWSVerifier v;
    if (jwk instanceof ECKey ec) {
      v = new ECDSAVerifier(ec);
    } else if (provider == null) {
      v = new RSASSAVerifier((RSAKey) jwk);
    } else {
      v =
          new RSASSAVerifier(
              (RSAPublicKey)
                  KeyFactory.getInstance("RSA", provider)
                      .translateKey(((RSAKey) jwk).toRSAPublicKey()));
    }
    if (provider != null) {
      v.getJCAContext().setProvider(provider);
    }
    return v;
  }
}
