package dev.planeguard.nativecrypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ES256 signatures altered the ways an attacker can alter one without the key, in JOSE's raw {@code
 * R||S} form, through Nimbus's {@code ECDSAVerifier} (which checks the length, then transcodes to
 * DER for the provider) with the JDK's provider and with the native one: both give the same answer
 * for each.
 */
class MalleabilityTest {

  static final BigInteger N = Curve.P_256.toECParameterSpec().getOrder();
  static final byte[] MESSAGE =
      "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0".getBytes(StandardCharsets.US_ASCII);
  static ECKey key;
  static byte[] good;

  @BeforeAll
  static void sign() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).generate();
    good = new ECDSASigner(key).sign(new JWSHeader(JWSAlgorithm.ES256), MESSAGE).decode();
    assertThat(good).hasSize(64);
  }

  static Stream<Arguments> alterations() {
    return Stream.of(
        // s replaced by n - s: the same signature's other valid form. ECDSA (FIPS 186, RFC 7518)
        // accepts both; it gives no forgery (the key holder signed these claims), only a second
        // spelling of the token, which planeguard verifies and caches as a token of its own.
        Arguments.of("high S (s -> n - s)", true, op(sig -> raw(r(sig), N.subtract(s(sig))))),
        Arguments.of("unaltered", true, op(sig -> sig)),
        Arguments.of("r = 0", false, op(sig -> raw(BigInteger.ZERO, s(sig)))),
        Arguments.of("s = 0", false, op(sig -> raw(r(sig), BigInteger.ZERO))),
        Arguments.of("r = s = 0", false, op(sig -> new byte[64])),
        Arguments.of("r = n", false, op(sig -> raw(N, s(sig)))),
        Arguments.of("s = n", false, op(sig -> raw(r(sig), N))),
        Arguments.of(
            "r = r + n (fits in 32 bytes or wraps)",
            false,
            op(sig -> raw(r(sig).add(N).mod(BigInteger.TWO.pow(256)), s(sig)))),
        Arguments.of(
            "s = 2^256 - 1",
            false,
            op(sig -> raw(r(sig), BigInteger.TWO.pow(256).subtract(BigInteger.ONE)))),
        Arguments.of("leading zero byte (65 bytes)", false, op(sig -> concat(new byte[1], sig))),
        Arguments.of(
            "R and S each with a leading zero (66 bytes)",
            false,
            op(
                sig ->
                    concat(
                        new byte[1],
                        Arrays.copyOf(sig, 32),
                        new byte[1],
                        Arrays.copyOfRange(sig, 32, 64)))),
        Arguments.of("truncated (63 bytes)", false, op(sig -> Arrays.copyOf(sig, 63))),
        Arguments.of("empty", false, op(sig -> new byte[0])),
        Arguments.of("DER instead of raw", false, op(MalleabilityTest::der)),
        Arguments.of("R and S swapped", false, op(sig -> raw(s(sig), r(sig)))),
        Arguments.of("last bit flipped", false, op(sig -> flip(sig, 63))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("alterations")
  void bothProvidersGiveTheSameAnswer(String what, boolean valid, UnaryOperator<byte[]> alter)
      throws Exception {
    Base64URL sig = Base64URL.encode(alter.apply(good.clone()));
    assertThat(verify(null, sig)).as("JDK, %s", what).isEqualTo(valid);
    assertThat(verify(WycheproofParityTest.NATIVE, sig)).as("native, %s", what).isEqualTo(valid);
  }

  static boolean verify(@Nullable Provider provider, Base64URL sig) throws Exception {
    try {
      return WycheproofParityTest.verifier(key.toPublicJWK(), provider)
          .verify(new JWSHeader(JWSAlgorithm.ES256), MESSAGE, sig);
    } catch (com.nimbusds.jose.JOSEException e) {
      return false;
    }
  }

  static UnaryOperator<byte[]> op(UnaryOperator<byte[]> op) {
    return op;
  }

  static BigInteger r(byte[] sig) {
    return new BigInteger(1, Arrays.copyOf(sig, 32));
  }

  static BigInteger s(byte[] sig) {
    return new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
  }

  /** {@code R||S}, each left-padded to 32 bytes (the low 32 bytes of a longer value). */
  static byte[] raw(BigInteger r, BigInteger s) {
    return concat(fixed(r), fixed(s));
  }

  static byte[] fixed(BigInteger v) {
    byte[] b = v.toByteArray();
    byte[] out = new byte[32];
    int copy = Math.min(b.length, 32);
    System.arraycopy(b, b.length - copy, out, 32 - copy, copy);
    return out;
  }

  static byte[] der(byte[] sig) {
    try {
      return ECDSA.transcodeSignatureToDER(sig);
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] flip(byte[] sig, int index) {
    sig[index] ^= 1;
    return sig;
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
