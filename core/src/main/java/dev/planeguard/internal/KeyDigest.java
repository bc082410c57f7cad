package dev.planeguard.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 of key strings and the comparison of a digest with a stored {@code sha256:} hash, on the
 * machine-key request path: no provider lookup per call (a prototype digest is cloned) and no hex
 * string built to be compared.
 */
public final class KeyDigest {

  /** The stored form's prefix. */
  public static final String PREFIX = "sha256:";

  private static final int DIGEST_BYTES = 32;
  private static final int STORED_LENGTH = PREFIX.length() + 2 * DIGEST_BYTES;
  private static final byte[] HEX_VALUE = new byte[128];

  static {
    java.util.Arrays.fill(HEX_VALUE, (byte) -1);
    for (int i = 0; i < 10; i++) {
      HEX_VALUE['0' + i] = (byte) i;
    }
    for (int i = 0; i < 6; i++) {
      HEX_VALUE['a' + i] = (byte) (10 + i);
    }
  }

  private static final MessageDigest PROTOTYPE = newDigest();

  private KeyDigest() {}

  /** SHA-256 of the UTF-8 bytes of {@code value}. */
  public static byte[] sha256(String value) {
    return digest().digest(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The stored form of a digest: {@code sha256:} and 64 lower-case hex digits. */
  public static String stored(byte[] digest) {
    StringBuilder sb = new StringBuilder(STORED_LENGTH).append(PREFIX);
    for (byte b : digest) {
      sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
    }
    return sb.toString();
  }

  /**
   * Whether {@code stored} ({@code sha256:} and 64 lower-case hex digits) is the stored form of
   * {@code digest}. The digits are decoded without branching on their values and the bytes are
   * compared with {@link MessageDigest#isEqual}, in time that does not depend on where they differ.
   * A value of another shape never matches.
   */
  @SuppressWarnings("ShortCircuitBoolean") // no early exit: the comparison takes the same time
  public static boolean matches(String stored, byte[] digest) {
    if (digest.length != DIGEST_BYTES
        || stored.length() != STORED_LENGTH
        || !stored.startsWith(PREFIX)) {
      return false;
    }
    byte[] decoded = new byte[DIGEST_BYTES];
    int invalid = 0;
    for (int i = 0; i < DIGEST_BYTES; i++) {
      int hi = hexValue(stored.charAt(PREFIX.length() + 2 * i));
      int lo = hexValue(stored.charAt(PREFIX.length() + 2 * i + 1));
      invalid |= (hi | lo) & 0x80;
      decoded[i] = (byte) ((hi << 4) | (lo & 0xf));
    }
    return MessageDigest.isEqual(decoded, digest) & invalid == 0;
  }

  /** 0-15 for a lower-case hex digit, else a value with bit 7 set. */
  private static int hexValue(char c) {
    return c < 128 ? HEX_VALUE[c] & 0xff : 0x80;
  }

  /** A fresh digest: a clone of the prototype (the JDK's SHA-256 clones), else a new one. */
  private static MessageDigest digest() {
    try {
      return (MessageDigest) PROTOTYPE.clone();
    } catch (CloneNotSupportedException e) {
      return newDigest();
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
