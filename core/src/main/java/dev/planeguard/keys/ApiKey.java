package dev.planeguard.keys;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Detail;
import dev.planeguard.Mode;
import dev.planeguard.internal.KeyDigest;
import dev.planeguard.internal.KeyRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * A machine or sandbox API key in planeguard's format:
 * <!-- not java -->
 *
 * <pre>
 * {prefix}_{kind}_{mode}_{id}_{secret}_{check}
 * aos_mk_prod_k7xq2m4p9ra3w5tz_&lt;43 chars base62&gt;_&lt;6 chars base62&gt;
 * </pre>
 *
 * <ul>
 *   <li>{@code prefix}: {@code [a-z]{2,8}}, {@code aos} by default;
 *   <li>{@code kind}: {@code mk} machine, {@code sk} sandbox;
 *   <li>{@code mode}: the mode the key was issued for; it works only there;
 *   <li>{@code id}: 16 characters {@code [a-z2-7]}, random, not secret: the lookup id;
 *   <li>{@code secret}: 43 characters base62 ({@code 0-9A-Za-z}), at least 256 bits from {@link
 *       SecureRandom};
 *   <li>{@code check}: CRC32 of the UTF-8 bytes of everything before the last {@code _}, in base62,
 *       left-padded with {@code 0} to 6 characters. A key whose checksum fails is refused without
 *       any store lookup.
 * </ul>
 *
 * <p>At rest only {@link #hash()} is stored: {@code sha256:} and the lower-case hex SHA-256 of the
 * whole key. The plaintext {@link #value()} is shown once, at creation. {@link #toString()} never
 * contains the secret.
 */
public final class ApiKey {

  /** The kind of a key: which header it belongs in. */
  public enum Kind {
    /** A machine key, for {@code X-AOS-Key} on machine routes. */
    MACHINE("mk"),
    /** A sandbox key, for {@code X-AOS-Customer-Key} on human routes in local and test. */
    SANDBOX("sk");

    private final String code;

    Kind(String code) {
      this.code = code;
    }

    /** {@code mk} or {@code sk}. */
    public String code() {
      return code;
    }

    /** The kind with this code, or {@code null}. */
    public static @Nullable Kind fromCode(String code) {
      return switch (code) {
        case "mk" -> MACHINE;
        case "sk" -> SANDBOX;
        default -> null;
      };
    }
  }

  /** The default prefix. */
  public static final String DEFAULT_PREFIX = "aos";

  /** Shortest possible key: 2-char prefix, 4-char mode. */
  public static final int MIN_LENGTH = 78;

  /** Longest possible key: 8-char prefix, 7-char mode. */
  public static final int MAX_LENGTH = 87;

  static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
  private static final Pattern PREFIX = Pattern.compile("[a-z]{2,8}");
  private static final Mode[] MODES = Mode.values();
  private static final int SECRET_LENGTH = KeyRules.SECRET_LENGTH;
  private static final int ID_LENGTH = KeyRules.ID_LENGTH;
  private static final int CHECK_LENGTH = KeyRules.CHECK_LENGTH;

  private final String value;
  private final String prefix;
  private final Kind kind;
  private final Mode mode;
  private final String id;

  private ApiKey(String value, String prefix, Kind kind, Mode mode, String id) {
    this.value = value;
    this.prefix = prefix;
    this.kind = kind;
    this.mode = mode;
    this.id = id;
  }

  /** Generates a new key with the default prefix from a new {@link SecureRandom}. */
  public static ApiKey generate(Kind kind, Mode mode) {
    return generate(DEFAULT_PREFIX, kind, mode, new SecureRandom());
  }

  /** Generates a new key. */
  public static ApiKey generate(String prefix, Kind kind, Mode mode, SecureRandom random) {
    requireNonNull(kind, "kind");
    requireNonNull(mode, "mode");
    requireNonNull(random, "random");
    if (!PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("key prefixes are 2 to 8 lower-case letters");
    }
    StringBuilder sb = new StringBuilder(MAX_LENGTH);
    sb.append(prefix).append('_').append(kind.code()).append('_').append(mode.id()).append('_');
    int idStart = sb.length();
    for (int i = 0; i < ID_LENGTH; i++) {
      sb.append(BASE32.charAt(random.nextInt(BASE32.length())));
    }
    String id = sb.substring(idStart);
    sb.append('_');
    for (int i = 0; i < SECRET_LENGTH; i++) {
      sb.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    String check = checksum(sb);
    sb.append('_').append(check);
    return new ApiKey(sb.toString(), prefix, kind, mode, id);
  }

  /**
   * Parses a key: syntax first, then checksum.
   *
   * @throws IllegalArgumentException if it is malformed or its checksum fails; the message never
   *     contains the value
   */
  public static ApiKey parse(String value) {
    int idStart = idStart(value);
    if (idStart < 0) {
      throw new IllegalArgumentException("not a planeguard key");
    }
    if (!checksumMatches(value)) {
      throw new IllegalArgumentException("key checksum does not match");
    }
    return fields(value, idStart);
  }

  /**
   * Parses a key like {@link #parse}, but answers {@code null} instead of throwing: for a value
   * checked on every request, where {@link #defect} then tells why.
   */
  public static @Nullable ApiKey tryParse(String value) {
    int idStart = idStart(value);
    if (idStart < 0 || !checksumMatches(value)) {
      return null;
    }
    return fields(value, idStart);
  }

  private static ApiKey fields(String value, int idStart) {
    int prefixEnd = value.indexOf('_');
    return new ApiKey(
        value,
        value.substring(0, prefixEnd),
        value.charAt(prefixEnd + 1) == 'm' ? Kind.MACHINE : Kind.SANDBOX,
        modeAt(value, prefixEnd + 4, idStart - 1),
        value.substring(idStart, idStart + ID_LENGTH));
  }

  /**
   * Checks syntax, then checksum, in that order, without allocating for a value of the wrong length
   * or characters.
   *
   * @return {@code null} for a well-formed key with a valid checksum, else {@link Detail#MALFORMED}
   *     or {@link Detail#BAD_CHECKSUM}
   */
  public static @Nullable Detail defect(String value) {
    if (idStart(value) < 0) {
      return Detail.MALFORMED;
    }
    return checksumMatches(value) ? null : Detail.BAD_CHECKSUM;
  }

  /**
   * Whether {@code value} has the structure of a key (length, characters, fields), whatever its
   * checksum. Used to recognise a key sent in the wrong place, such as {@code Authorization:
   * Bearer}.
   */
  public static boolean hasKeyShape(String value) {
    return idStart(value) >= 0;
  }

  /**
   * Where the id starts if {@code value} has the shape of a key, else -1. One pass, no regular
   * expression, no allocation: this runs on every machine request.
   */
  private static int idStart(String v) {
    int n = v.length();
    if (n < MIN_LENGTH || n > MAX_LENGTH) {
      return -1;
    }
    int p = 0;
    while (p < 9 && isLower(v.charAt(p))) {
      p++;
    }
    if (p < 2 || p > 8 || v.charAt(p) != '_') {
      return -1;
    }
    char k = v.charAt(p + 1);
    if ((k != 'm' && k != 's') || v.charAt(p + 2) != 'k' || v.charAt(p + 3) != '_') {
      return -1;
    }
    int modeStart = p + 4;
    int modeEnd = modeStart;
    while (modeEnd < n && isLower(v.charAt(modeEnd))) {
      modeEnd++;
    }
    if (modeEnd >= n || v.charAt(modeEnd) != '_' || !isMode(v, modeStart, modeEnd)) {
      return -1;
    }
    int id = modeEnd + 1;
    if (n - id != ID_LENGTH + 1 + SECRET_LENGTH + 1 + CHECK_LENGTH) {
      return -1;
    }
    for (int i = id; i < id + ID_LENGTH; i++) {
      char c = v.charAt(i);
      if (!isLower(c) && (c < '2' || c > '7')) {
        return -1;
      }
    }
    int secret = id + ID_LENGTH + 1;
    int check = secret + SECRET_LENGTH + 1;
    if (v.charAt(secret - 1) != '_' || v.charAt(check - 1) != '_') {
      return -1;
    }
    for (int i = secret; i < n; i++) {
      if (i != check - 1 && !isBase62(v.charAt(i))) {
        return -1;
      }
    }
    return id;
  }

  private static boolean isMode(String v, int start, int end) {
    return modeOrNull(v, start, end) != null;
  }

  private static Mode modeAt(String v, int start, int end) {
    return requireNonNull(modeOrNull(v, start, end));
  }

  private static @Nullable Mode modeOrNull(String v, int start, int end) {
    for (Mode mode : MODES) {
      String id = mode.id();
      if (id.length() == end - start && v.startsWith(id, start)) {
        return mode;
      }
    }
    return null;
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isBase62(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** For a value of key shape (ASCII only): whether its last field is the checksum of the rest. */
  private static boolean checksumMatches(String value) {
    int last = value.lastIndexOf('_');
    CRC32 crc = new CRC32();
    crc.update(value.getBytes(StandardCharsets.US_ASCII), 0, last);
    long v = crc.getValue();
    boolean matches = true;
    for (int i = CHECK_LENGTH - 1; i >= 0; i--) {
      matches &= value.charAt(last + 1 + i) == BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    return matches;
  }

  /**
   * The stored form of a key string: {@code sha256:} and lower-case hex. Works for any string, so
   * opaque legacy keys are stored the same way.
   */
  public static String hash(String value) {
    return KeyDigest.stored(KeyDigest.sha256(value));
  }

  /**
   * Compares two stored hashes in constant time (for equal lengths), with {@link
   * MessageDigest#isEqual}.
   */
  public static boolean hashesEqual(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  static String checksum(CharSequence body) {
    CRC32 crc = new CRC32();
    crc.update(body.toString().getBytes(StandardCharsets.UTF_8));
    long v = crc.getValue();
    char[] out = new char[CHECK_LENGTH];
    for (int i = CHECK_LENGTH - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (v % 62));
      v /= 62;
    }
    return new String(out);
  }

  /** The whole key. Show it once, at creation; never log it. */
  public String value() {
    return value;
  }

  /** The prefix, {@code aos} by default. */
  public String prefix() {
    return prefix;
  }

  /** Machine or sandbox. */
  public Kind kind() {
    return kind;
  }

  /** The mode the key was issued for. */
  public Mode mode() {
    return mode;
  }

  /** The public lookup id. */
  public String id() {
    return id;
  }

  /** The stored form: {@code sha256:} and lower-case hex of SHA-256 over {@link #value()}. */
  public String hash() {
    return hash(value);
  }

  /** Keys are equal when their values are; compared in constant time. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ApiKey k
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.US_ASCII), k.value.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Id, kind and mode; never the secret. */
  @Override
  public String toString() {
    return "ApiKey{id=" + id + ", kind=" + kind.code() + ", mode=" + mode.id() + "}";
  }
}
