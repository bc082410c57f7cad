package dev.planeguard.internal;

import org.jspecify.annotations.Nullable;

/**
 * A key of the verified-token cache: a string holding a token, equal only to the same string. Its
 * hash covers the last {@value #HASHED_TAIL} characters only, which are signature bytes: as good a
 * hash as the whole string's, at a fixed cost instead of one that grows with the token (a request's
 * header value is a new string every time, so {@code String.hashCode} would run over the whole
 * token on every request). Only verified tokens are ever stored, so nobody can fill one bucket with
 * look-alikes.
 */
public final class TokenKey {
  static final int HASHED_TAIL = 32;

  private final String text;
  private final int hash;

  /** The key of {@code text}: a token, or a whole header value holding one. */
  public TokenKey(String text) {
    this.text = text;
    int n = text.length();
    int h = n;
    for (int i = Math.max(0, n - HASHED_TAIL); i < n; i++) {
      h = 31 * h + text.charAt(i);
    }
    this.hash = h;
  }

  /** The characters the key holds, for weighing cache entries. */
  public int length() {
    return text.length();
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof TokenKey k && k.hash == hash && k.text.equals(text);
  }

  /** Never the token. */
  @Override
  public String toString() {
    return "TokenKey{length=" + text.length() + "}";
  }
}
