package dev.planeguard.internal;

import org.jspecify.annotations.Nullable;

/**
 * Rules on a presented key value that hold before any parsing: length cap, charset, and whether it
 * claims the structured format. Shared by the verifier and by the import of legacy keys, so that a
 * value the verifier would treat as structured can never be registered as a legacy secret.
 */
public final class KeyRules {

  /** Longest value examined at all; anything longer is malformed without a look at its content. */
  public static final int MAX_PRESENTED_LENGTH = 256;

  /** Shortest legacy secret accepted (seed 003's rule: secrets shorter than 20 are too weak). */
  public static final int LEGACY_MIN_LENGTH = 20;

  /** Characters of a structured key's id. */
  public static final int ID_LENGTH = 16;

  /** Characters of a structured key's secret. */
  public static final int SECRET_LENGTH = 43;

  /** Characters of a structured key's checksum. */
  public static final int CHECK_LENGTH = 6;

  // After the id: "_", the secret, "_" and the checksum.
  private static final int AFTER_ID = 1 + SECRET_LENGTH + 1 + CHECK_LENGTH;

  private KeyRules() {}

  /**
   * Whether {@code value} is 1 to {@link #MAX_PRESENTED_LENGTH} visible ASCII characters without a
   * comma: no whitespace, no control or non-ASCII character, no list of values.
   */
  public static boolean plausible(String value) {
    int n = value.length();
    if (n == 0 || n > MAX_PRESENTED_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == ',') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code value} starts like a structured key: 2 to 8 lower-case letters, then {@code
   * _mk_} or {@code _sk_}. Such a value is judged as a structured key only (syntax, checksum, id),
   * never looked up as a legacy secret — a truncated or mistyped key stays {@code MALFORMED} or
   * {@code BAD_CHECKSUM}, and the checksum can never be bypassed.
   */
  public static boolean claimsStructuredFormat(String value) {
    int n = value.length();
    int i = 0;
    while (i < n && i < 9 && value.charAt(i) >= 'a' && value.charAt(i) <= 'z') {
      i++;
    }
    if (i < 2 || i > 8 || i + 4 > n) {
      return false;
    }
    return value.charAt(i) == '_'
        && (value.charAt(i + 1) == 'm' || value.charAt(i + 1) == 's')
        && value.charAt(i + 2) == 'k'
        && value.charAt(i + 3) == '_';
  }

  /**
   * The 16 characters where a structured key keeps its id ({@code
   * {prefix}_{kind}_{mode}_{id}_{secret}_{check}}: the id ends 51 characters before the end, before
   * {@code _}, the 43-character secret, {@code _} and the 6-character checksum), or {@code null} if
   * {@code value} is too short to hold them. Nothing is checked: the answer is only a place to
   * look, never evidence that {@code value} is a key.
   */
  public static @Nullable String claimedId(String value) {
    int end = value.length() - AFTER_ID;
    return end < ID_LENGTH ? null : value.substring(end - ID_LENGTH, end);
  }
}
