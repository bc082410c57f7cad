package dev.planeguard.internal;

import java.util.regex.Pattern;

/** Removes anything shaped like a planeguard key or a JWT from text bound for a log. */
public final class Redaction {

  private static final Pattern KEY =
      Pattern.compile("[a-z]{2,8}_(?:mk|sk)_[a-z]{4,7}_[a-z2-7]{16}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}");
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.?[A-Za-z0-9_-]*");

  private Redaction() {}

  /** {@code text} with keys replaced by {@code <key>} and JWT-like strings by {@code <jwt>}. */
  public static String redact(String text) {
    String out = text;
    if (out.length() >= 78 && (out.contains("_mk_") || out.contains("_sk_"))) {
      out = KEY.matcher(out).replaceAll("<key>");
    }
    if (out.contains("eyJ")) {
      out = JWT.matcher(out).replaceAll("<jwt>");
    }
    return out;
  }
}
