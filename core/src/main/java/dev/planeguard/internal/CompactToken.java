package dev.planeguard.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * The syntax of a compact JWS, checked before any JOSE or JSON library sees the token.
 *
 * <p>{@link #split} accepts exactly the strings matching {@code
 * ^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$} (checked by a character scan rather than a
 * regular expression) whose three segments are each <em>canonical</em> unpadded base64url: the
 * segment decodes, and encoding the decoded bytes again gives the segment back. That excludes
 * padding ({@code =}), the standard alphabet ({@code +}, {@code /}), whitespace, a length of 1 mod
 * 4, and a final character with non-zero unused bits (the malleable encodings that let two
 * different strings carry one signature). JWE (five segments) and the JWS JSON serialization never
 * match.
 */
public final class CompactToken {

  /** Largest token accepted: 8 KiB of characters. */
  public static final int MAX_LENGTH = 8 * 1024;

  private static final boolean[] ALPHABET = new boolean[128];

  static {
    for (char c = 'A'; c <= 'Z'; c++) {
      ALPHABET[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      ALPHABET[c] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      ALPHABET[c] = true;
    }
    ALPHABET['-'] = true;
    ALPHABET['_'] = true;
  }

  private final String token;
  private final int firstDot;
  private final int secondDot;

  private CompactToken(String token, int firstDot, int secondDot) {
    this.token = token;
    this.firstDot = firstDot;
    this.secondDot = secondDot;
  }

  /**
   * Splits {@code token} into its three segments, or returns {@code null} if it is not a canonical
   * compact JWS. The caller checks {@link #MAX_LENGTH} first.
   */
  public static @Nullable CompactToken split(String token) {
    int n = token.length();
    int first = -1;
    int second = -1;
    for (int i = 0; i < n; i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (first < 0) {
          first = i;
        } else if (second < 0) {
          second = i;
        } else {
          return null;
        }
      } else if (c >= 128 || !ALPHABET[c]) {
        return null;
      }
    }
    if (second < 0
        || !canonical(token, 0, first)
        || !canonical(token, first + 1, second)
        || !canonical(token, second + 1, n)) {
      return null;
    }
    return new CompactToken(token, first, second);
  }

  /**
   * Whether {@code s[from, to)}, known to hold only base64url characters, is a non-empty canonical
   * unpadded encoding: its length is not 1 mod 4 and the unused low bits of its last character are
   * zero (so that decoding and encoding again gives the same string).
   */
  static boolean canonical(String s, int from, int to) {
    int len = to - from;
    if (len == 0) {
      return false;
    }
    int rem = len & 3;
    if (rem == 1) {
      return false;
    }
    if (rem == 0) {
      return true;
    }
    int last = sextet(s.charAt(to - 1));
    // Two characters carry one byte (4 unused bits); three carry two bytes (2 unused bits).
    int unusedMask = rem == 2 ? 0x0f : 0x03;
    return (last & unusedMask) == 0;
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : 63;
  }

  /** The whole token. */
  public String token() {
    return token;
  }

  /** The first segment, base64url. */
  public String headerSegment() {
    return token.substring(0, firstDot);
  }

  /** The second segment, base64url. */
  public String payloadSegment() {
    return token.substring(firstDot + 1, secondDot);
  }

  /** The third segment, base64url. */
  public String signatureSegment() {
    return token.substring(secondDot + 1);
  }

  /** The JWS signing input: the ASCII bytes of {@code header.payload}. */
  public byte[] signingInput() {
    return token.substring(0, secondDot).getBytes(StandardCharsets.US_ASCII);
  }

  /** The decoded header as text, or {@code null} if it is not valid UTF-8. */
  public @Nullable String headerJson() {
    return Text.utf8(Base64.getUrlDecoder().decode(headerSegment()));
  }

  /** The decoded payload as text, or {@code null} if it is not valid UTF-8. */
  public @Nullable String payloadJson() {
    return Text.utf8(Base64.getUrlDecoder().decode(payloadSegment()));
  }

  /** Never the token: only its length. */
  @Override
  public String toString() {
    return "CompactToken{length=" + token.length() + "}";
  }
}
