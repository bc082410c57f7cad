package dev.planeguard.testing;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Reading the Project Wycheproof files of core's test resources ({@code wycheproof/}, with their
 * NOTICE): core's own Wycheproof test and the native provider's parity test read the same files the
 * same way.
 */
public final class WycheproofFiles {

  private WycheproofFiles() {}

  /** The parsed file {@code wycheproof/NAME}. */
  public static Map<String, Object> load(String name) throws Exception {
    try (InputStream in =
        WycheproofFiles.class.getClassLoader().getResourceAsStream("wycheproof/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return JSONObjectUtils.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), -1);
    }
  }

  /** The group's JWK, or one built from its uncompressed point where the file gives no JWK. */
  public static JWK publicKey(Map<String, Object> group) throws Exception {
    Object jwk =
        group.containsKey("publicKeyJwk") ? group.get("publicKeyJwk") : group.get("keyJwk");
    if (jwk != null) {
      return JWK.parse(map(jwk));
    }
    Map<String, Object> pk = map(group.get("publicKey"));
    Curve curve =
        switch ((String) pk.get("curve")) {
          case "secp256r1" -> Curve.P_256;
          case "secp384r1" -> Curve.P_384;
          default -> Curve.P_521;
        };
    int size = (curve.toECParameterSpec().getCurve().getField().getFieldSize() + 7) / 8;
    return new ECKey.Builder(
            curve, coordinate((String) pk.get("wx"), size), coordinate((String) pk.get("wy"), size))
        .build();
  }

  /** A big-endian hex integer as exactly {@code size} bytes, base64url. */
  public static Base64URL coordinate(String hex, int size) {
    byte[] raw = new BigInteger(hex, 16).toByteArray();
    byte[] fixed = new byte[size];
    int copy = Math.min(raw.length, size);
    System.arraycopy(raw, raw.length - copy, fixed, size - copy, copy);
    return Base64URL.encode(fixed);
  }

  /** A JSON object of a parsed file. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  /** A JSON array of objects of a parsed file. */
  @SuppressWarnings("unchecked")
  public static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }
}
