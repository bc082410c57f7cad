package dev.planeguard.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.util.Base64URL;
import dev.planeguard.Detail;
import java.text.ParseException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The JWS layer of a token, independent of its claims: syntax (stage 1), the header rules that hold
 * for every issuer (stage 2), and key selection plus signature (stage 4). The JWT verifier and the
 * Wycheproof tests run exactly this code.
 */
public final class Jws {

  /** Largest {@code kid} looked up; a longer one is {@code UNKNOWN_KID} without a lookup. */
  public static final int MAX_KID_LENGTH = 256;

  private static final Set<String> FORBIDDEN_HEADERS =
      Set.of("jwk", "jku", "x5u", "x5c", "enc", "zip", "b64");

  private final CompactToken compact;
  private final Map<String, @Nullable Object> header;
  private final String alg;
  private final @Nullable String kid;
  private final @Nullable String typ;

  private Jws(
      CompactToken compact,
      Map<String, @Nullable Object> header,
      String alg,
      @Nullable String kid,
      @Nullable String typ) {
    this.compact = compact;
    this.header = header;
    this.alg = alg;
    this.kid = kid;
    this.typ = typ;
  }

  /**
   * Stages 1 and 2: size, canonical compact form, strict UTF-8 and JSON header; then {@code alg}
   * {@code none} in any casing ({@code DISALLOWED_ALG}), {@code crit} present ({@code BAD_CRIT}),
   * and the members that embed or point to keys or change the format ({@code jwk}, {@code jku},
   * {@code x5u}, {@code x5c}, {@code enc}, {@code zip}, {@code b64}: {@code MALFORMED}).
   *
   * @throws Rejected with the detail of the first failed check
   */
  public static Jws parse(String token) throws Rejected {
    if (token.length() > CompactToken.MAX_LENGTH) {
      throw Rejected.of(Detail.TOO_LARGE);
    }
    CompactToken compact = CompactToken.split(token);
    if (compact == null) {
      throw Rejected.of(Detail.MALFORMED);
    }
    String json = compact.headerJson();
    Map<String, @Nullable Object> header = json == null ? null : StrictJson.parseObject(json);
    if (header == null) {
      throw Rejected.of(Detail.MALFORMED);
    }
    if (!(header.get("alg") instanceof String alg)) {
      throw Rejected.of(Detail.MALFORMED);
    }
    if (Signatures.isNone(alg)) {
      throw Rejected.of(Detail.DISALLOWED_ALG);
    }
    if (header.containsKey("crit")) {
      throw Rejected.of(Detail.BAD_CRIT);
    }
    for (String name : header.keySet()) { // a header has a few members; the list has seven
      if (FORBIDDEN_HEADERS.contains(name)) {
        throw Rejected.of(Detail.MALFORMED);
      }
    }
    Object kid = header.get("kid");
    Object typ = header.get("typ");
    if ((kid != null && !(kid instanceof String)) || (typ != null && !(typ instanceof String))) {
      throw Rejected.of(Detail.MALFORMED);
    }
    return new Jws(compact, header, alg, (String) kid, (String) typ);
  }

  /** The token's segments. */
  public CompactToken compact() {
    return compact;
  }

  /** The header's {@code alg}, exactly as written. */
  public String alg() {
    return alg;
  }

  /** The header's {@code kid}, or {@code null}. */
  public @Nullable String kid() {
    return kid;
  }

  /** The header's {@code typ}, or {@code null}. */
  public @Nullable String typ() {
    return typ;
  }

  /** The decoded payload as text, or {@code null} if it is not valid UTF-8. */
  public @Nullable String payloadJson() {
    return compact.payloadJson();
  }

  /**
   * Stage 4 (after the caller checked {@code alg} against the issuer's list): picks the key and
   * verifies the signature. HMAC algorithms use {@code mac} only, never a published key.
   *
   * @param mac the issuer's configured HMAC verifier, or {@code null}
   * @param keys finds published keys
   * @return the key that verified the signature, or {@code null} for HMAC
   * @throws Rejected {@code UNKNOWN_KID}, {@code BAD_SIGNATURE} or {@code MALFORMED}
   * @throws KeySourceException if the published keys cannot be read
   */
  public IssuerKeys.@Nullable Key verifySignature(@Nullable JWSVerifier mac, KeyFinder keys)
      throws Rejected, KeySourceException {
    JWSHeader jwsHeader;
    try {
      jwsHeader = JWSHeader.parse(header, Base64URL.from(compact.headerSegment()));
    } catch (ParseException e) {
      throw Rejected.of(Detail.MALFORMED);
    }
    JWSAlgorithm jwsAlg = jwsHeader.getAlgorithm();
    JWSVerifier verifier;
    IssuerKeys.Key key = null;
    if (Signatures.isHmac(alg)) {
      if (mac == null) {
        throw Rejected.of(Detail.DISALLOWED_ALG);
      }
      verifier = mac;
    } else {
      if (kid != null && kid.length() > MAX_KID_LENGTH) {
        throw Rejected.of(Detail.UNKNOWN_KID);
      }
      key = keys.find(kid, jwsAlg);
      if (key == null) {
        throw Rejected.of(Detail.UNKNOWN_KID);
      }
      if (!Signatures.fits(jwsAlg, key.jwk())) {
        throw Rejected.of(Detail.BAD_SIGNATURE);
      }
      verifier = key.verifier();
    }
    boolean valid;
    try {
      valid =
          verifier.verify(
              jwsHeader, compact.signingInput(), Base64URL.from(compact.signatureSegment()));
    } catch (JOSEException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw Rejected.of(Detail.BAD_SIGNATURE);
    }
    return key;
  }

  /** Finds the published key for a token. */
  @FunctionalInterface
  public interface KeyFinder {
    /**
     * The key with {@code kid} (refetching once if it is unknown), or — for a token without kid —
     * the only published key that fits {@code alg}; {@code null} if there is none.
     */
    IssuerKeys.@Nullable Key find(@Nullable String kid, JWSAlgorithm alg) throws KeySourceException;
  }

  /** For a token without kid: the one key in {@code snapshot} that fits {@code alg}, or none. */
  public static IssuerKeys.@Nullable Key onlyKeyFor(
      JWSAlgorithm alg, IssuerKeys.Snapshot snapshot) {
    IssuerKeys.Key found = null;
    for (IssuerKeys.Key key : snapshot.keys()) {
      if (Signatures.fits(alg, key.jwk())) {
        if (found != null) {
          return null;
        }
        found = key;
      }
    }
    return found;
  }

  /** Never the token: only its algorithm and length. */
  @Override
  public String toString() {
    return "Jws{alg=" + Text.quote(alg, 16) + ", length=" + compact.token().length() + "}";
  }

  /** A check failed. Preallocated per detail, without a stack trace: rejection is cheap. */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    private static final Map<Detail, Rejected> ALL = new EnumMap<>(Detail.class);

    static {
      for (Detail d : Detail.values()) {
        ALL.put(d, new Rejected(d));
      }
    }

    private final Detail detail;

    private Rejected(Detail detail) {
      super(detail.name(), null, false, false);
      this.detail = detail;
    }

    /** The rejection for {@code detail}. */
    public static Rejected of(Detail detail) {
      return java.util.Objects.requireNonNull(ALL.get(detail));
    }

    /** Which check failed. */
    public Detail detail() {
      return detail;
    }
  }
}
