package dev.planeguard.internal;

import java.util.regex.Pattern;

/**
 * Removes anything shaped like a planeguard key, an external provider key or a JWT from text bound
 * for a log or a message.
 */
public final class Redaction {

  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");

  private Redaction() {}

  /**
   * {@code text} with planeguard keys replaced by {@code <key>}, provider keys ({@link
   * SecretPatterns#providerKeyKind}) by {@code <provider-key>} and JWT-like strings by {@code
   * <jwt>}.
   */
  public static String redact(String text) {
    String out = SecretPatterns.redactKeys(text);
    if (out.contains("eyJ")) {
      out = JWT.matcher(out).replaceAll("<jwt>");
    }
    return out;
  }
}
