package dev.planeguard.internal;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Recognises secrets by their value: keys of external providers, planeguard keys, URLs carrying a
 * password, and placeholder values that only pretend to be secrets. Nothing here ever returns or
 * records the value it looked at, only what kind of thing it is.
 */
public final class SecretPatterns {

  /**
   * A key shape of an external provider.
   *
   * @param label what it is, for messages ("Anthropic API key")
   * @param pattern the shape, found anywhere in a value
   */
  private record Shape(String label, Pattern pattern) {}

  /** Characters of the token alphabets the shapes below use, for word boundaries. */
  private static final String EDGE = "(?<![A-Za-z0-9_-])";

  private static final List<Shape> PROVIDER_SHAPES =
      List.of(
          // Anthropic first: its keys also have the OpenAI shape.
          new Shape("Anthropic API key", Pattern.compile(EDGE + "sk-ant-[A-Za-z0-9_-]{20,}")),
          new Shape("OpenAI-style API key", Pattern.compile(EDGE + "sk-[A-Za-z0-9_-]{20,}")),
          new Shape("Google API key", Pattern.compile(EDGE + "AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])")),
          new Shape(
              "GitHub token",
              Pattern.compile("(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
          new Shape(
              "AWS access key id", Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])")));

  /** The shortest value any provider shape can match ({@code AKIA} + 16). */
  private static final int SHORTEST_PROVIDER_KEY = 20;

  private static final Pattern PLANEGUARD_KEY =
      Pattern.compile(
          "[a-z]{2,8}_(?:mk|sk)_[a-z]{4,7}_[a-z2-7]{16}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}");

  /** The shortest planeguard key (two-letter prefix, four-letter mode). */
  private static final int SHORTEST_PLANEGUARD_KEY = 78;

  /** {@code scheme://user:password@} or {@code scheme://:password@}. */
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\\s:]*:[^/?#@\\s]+@");

  /** Normalised (lower case, no {@code _ - . space}) fragments that mark a placeholder. */
  private static final List<String> PLACEHOLDER_FRAGMENTS =
      List.of("changeme", "changeit", "replaceme", "placeholder", "yourkey", "yoursecret",
          "yourpassword", "yourtoken", "yourapikey", "xxxxx", "secrethere", "keyhere", "passwordhere",
          "tokenhere", "insertkey", "insertyour", "notarealsecret", "dummysecret");

  /** Normalised values that are placeholders when they are the whole value. */
  private static final List<String> PLACEHOLDER_VALUES =
      List.of("password", "secret", "token", "apikey", "key", "example", "default", "test",
          "testing", "dummy", "todo", "fixme", "tbd", "admin", "letmein", "none", "null", "empty",
          "value", "redacted", "hidden", "masked", "notset", "unset", "required");

  private SecretPatterns() {}

  /**
   * What kind of external provider key {@code value} contains, such as {@code "Anthropic API
   * key"}, or {@code null} if it contains none. Recognised: {@code sk-ant-…} (Anthropic), {@code
   * sk-…} (OpenAI and compatible), {@code AIza…} (Google), {@code ghp_…} and the other GitHub token
   * prefixes, {@code AKIA…}/{@code ASIA…} (AWS access key ids). Each needs its full length, so a
   * placeholder such as {@code sk-xxxxx} is not a key.
   */
  public static @Nullable String providerKeyKind(CharSequence value) {
    if (value.length() < SHORTEST_PROVIDER_KEY) {
      return null;
    }
    for (Shape shape : PROVIDER_SHAPES) {
      if (shape.pattern().matcher(value).find()) {
        return shape.label();
      }
    }
    return null;
  }

  /** Whether {@code value} contains a string in planeguard's key format, whatever its checksum. */
  public static boolean containsPlaneguardKey(CharSequence value) {
    return value.length() >= SHORTEST_PLANEGUARD_KEY && PLANEGUARD_KEY.matcher(value).find();
  }

  /** Whether {@code value} contains a URL with a password in its user info. */
  public static boolean hasUrlCredentials(CharSequence value) {
    return URL_CREDENTIALS.matcher(value).find();
  }

  /**
   * Whether {@code value} is a placeholder rather than a secret: it contains {@code change_me}
   * (any spelling of it), {@code xxxxx}, {@code <your-…>} and the like, is wholly in angle
   * brackets, ends with {@code ...}, is one character repeated, or is a word such as {@code
   * password} or {@code secret}.
   */
  public static boolean isPlaceholder(String value) {
    String v = value.strip();
    if (v.isEmpty()) {
      return true;
    }
    if ((v.startsWith("<") && v.endsWith(">")) || v.endsWith("...") || v.endsWith("…")) {
      return true;
    }
    if (v.codePoints().distinct().count() == 1) {
      return true;
    }
    StringBuilder sb = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c != '_' && c != '-' && c != '.' && c != ' ' && c != '<' && c != '>') {
        sb.append(c);
      }
    }
    String normalised = sb.toString().toLowerCase(Locale.ROOT);
    if (PLACEHOLDER_VALUES.contains(normalised)) {
      return true;
    }
    for (String fragment : PLACEHOLDER_FRAGMENTS) {
      if (normalised.contains(fragment)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code text} with every provider key replaced by {@code <provider-key>} and every planeguard
   * key by {@code <key>}. Cheap when there is nothing to replace.
   */
  public static String redactKeys(String text) {
    String out = text;
    if (out.length() >= SHORTEST_PLANEGUARD_KEY && (out.contains("_mk_") || out.contains("_sk_"))) {
      out = PLANEGUARD_KEY.matcher(out).replaceAll("<key>");
    }
    if (out.length() >= SHORTEST_PROVIDER_KEY && mayHoldProviderKey(out)) {
      for (Shape shape : PROVIDER_SHAPES) {
        Matcher m = shape.pattern().matcher(out);
        if (m.find()) {
          out = m.replaceAll("<provider-key>");
        }
      }
    }
    return out;
  }

  /** One pass over {@code s} for the first characters of a provider key shape. */
  private static boolean mayHoldProviderKey(String s) {
    int n = s.length() - 3;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == 's' && s.charAt(i + 1) == 'k' && s.charAt(i + 2) == '-') {
        return true;
      }
      if (c == 'A'
          && (s.startsWith("AIza", i) || s.startsWith("AKIA", i) || s.startsWith("ASIA", i))) {
        return true;
      }
      if (c == 'g'
          && ((s.charAt(i + 1) == 'h' && s.charAt(i + 3) == '_') || s.startsWith("github_pat_", i))) {
        return true;
      }
    }
    return false;
  }
}
