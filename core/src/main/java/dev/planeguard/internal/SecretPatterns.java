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
          new Shape(
              "Google API key", Pattern.compile(EDGE + "AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])")),
          new Shape(
              "GitHub token",
              Pattern.compile(
                  "(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
          new Shape(
              "AWS access key id",
              Pattern.compile("(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])")));

  /** The shortest value any provider shape can match ({@code AKIA} + 16). */
  private static final int SHORTEST_PROVIDER_KEY = 20;

  private static final Pattern PLANEGUARD_KEY =
      Pattern.compile(
          "[a-z]{2,8}_(?:mk|sk)_[a-z]{4,7}_[a-z2-7]{16}_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}");

  /** The shortest planeguard key (two-letter prefix, four-letter mode). */
  private static final int SHORTEST_PLANEGUARD_KEY = 78;

  /**
   * {@code scheme://user:password@} or {@code scheme://:password@}; group 1 is the password. The
   * scheme is bounded so that a long run of letters without {@code ://} costs linear time, not
   * quadratic.
   */
  private static final Pattern URL_CREDENTIALS =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,31}://[^/?#@\\s:]*:([^/?#@\\s]+)@");

  /**
   * Marks of a placeholder anywhere in a value: an ellipsis ({@code sk-...xxxx}), a word in angle
   * brackets ({@code postgres://app:<password>@db}), and {@code TODO}, {@code FIXME}, {@code TBD}
   * or {@code xxx…} as a word of their own. Random secrets (base62, base64, hex) contain none of
   * them: the words need a non-alphanumeric character on both sides.
   */
  private static final Pattern PLACEHOLDER_MARKS =
      Pattern.compile(
          "\\.\\.\\.|\u2026|<[A-Za-z][A-Za-z0-9 _.-]{1,63}>"
              + "|(?<![A-Za-z0-9])(?:todo|fixme|tbd|x{3,}+)(?![A-Za-z0-9])",
          Pattern.CASE_INSENSITIVE);

  /** Normalised (lower case, no {@code _ - . space}) fragments that mark a placeholder. */
  private static final List<String> PLACEHOLDER_FRAGMENTS =
      List.of(
          "changeme",
          "changeit",
          "replaceme",
          "placeholder",
          "yourkey",
          "yoursecret",
          "yourpassword",
          "yourtoken",
          "yourapikey",
          "xxxxx",
          "secrethere",
          "keyhere",
          "passwordhere",
          "tokenhere",
          "insertkey",
          "insertyour",
          "notarealsecret",
          "dummysecret");

  /** Normalised values that are placeholders when they are the whole value. */
  private static final List<String> PLACEHOLDER_VALUES =
      List.of(
          "password",
          "secret",
          "token",
          "apikey",
          "key",
          "example",
          "default",
          "test",
          "testing",
          "dummy",
          "todo",
          "fixme",
          "tbd",
          "admin",
          "letmein",
          "none",
          "null",
          "empty",
          "value",
          "redacted",
          "hidden",
          "masked",
          "notset",
          "unset",
          "required");

  private SecretPatterns() {}

  /**
   * What kind of external provider key {@code value} contains, such as {@code "Anthropic API key"},
   * or {@code null} if it contains none. Recognised: {@code sk-ant-…} (Anthropic), {@code sk-…}
   * (OpenAI and compatible), {@code AIza…} (Google), {@code ghp_…} and the other GitHub token
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
   * The password of the first URL in {@code value} that has one ({@code
   * postgres://app:PASSWORD@db}), as written (not percent-decoded), or {@code null}.
   */
  public static @Nullable String urlPassword(CharSequence value) {
    Matcher m = URL_CREDENTIALS.matcher(value);
    return m.find() ? m.group(1) : null;
  }

  /**
   * Whether {@code value} is a placeholder rather than a secret: it contains {@code change_me} (any
   * spelling of it), {@code xxxxx}, {@code <your-…>}, {@code ...} and the like anywhere (inside a
   * URL, after a provider prefix such as {@code sk-ant-}), has {@code TODO}, {@code FIXME}, {@code
   * TBD} or {@code xxx} as a word, is wholly in angle brackets, is one character repeated, or is a
   * word such as {@code password} or {@code secret}. The password of a URL in the value is judged
   * on its own as well: {@code postgres://app:password@db/app} is a placeholder.
   */
  public static boolean isPlaceholder(String value) {
    String password = urlPassword(value);
    return placeholder(value) || (password != null && placeholder(password));
  }

  private static boolean placeholder(String value) {
    String v = value.strip();
    if (v.isEmpty()) {
      return true;
    }
    if ((v.startsWith("<") && v.endsWith(">")) || PLACEHOLDER_MARKS.matcher(v).find()) {
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
   *
   * <p>Planeguard keys are matched generously, so that one that is truncated, damaged (a non-ASCII
   * letter swapped in), cut by a length cap or has its underscores percent-encoded does not leak
   * its secret part either: the letters and digits before an {@code _mk_} or {@code _sk_} marker
   * ({@code _} may be {@code %5F}) and everything after it up to the next {@code / ? # & = , ; " '
   * < >} or whitespace become {@code <key>}, provided at least 8 characters follow the marker (a
   * key has more than 60), so that words such as {@code task_mk_list} stay readable. Linear in the
   * length of {@code text}.
   */
  public static String redactKeys(String text) {
    String out = redactPlaneguardKeys(text);
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

  private static String redactPlaneguardKeys(String text) {
    int n = text.length();
    StringBuilder sb = null;
    int copied = 0;
    int j = 1;
    while (j + 1 < n) {
      char c = text.charAt(j);
      int before =
          (c == 'm' || c == 's') && text.charAt(j + 1) == 'k' ? separatorBefore(text, j) : 0;
      int after = before > 0 ? separatorAt(text, j + 2) : 0;
      if (after == 0) {
        j++;
        continue;
      }
      int tail = j + 2 + after;
      int end = tail;
      while (end < n && !endsKey(text.charAt(end))) {
        end++;
      }
      if (end - tail < 8) {
        j++;
        continue;
      }
      int start = j - before;
      while (start > copied && isAsciiLetterOrDigit(text.charAt(start - 1))) {
        start--;
      }
      if (sb == null) {
        sb = new StringBuilder(n);
      }
      sb.append(text, copied, start).append("<key>");
      copied = end;
      j = end + 1;
    }
    if (sb == null) {
      return text;
    }
    return sb.append(text, copied, n).toString();
  }

  /** Length of the separator ({@code _} or {@code %5F}) ending just before {@code i}, or 0. */
  private static int separatorBefore(String s, int i) {
    if (i >= 1 && s.charAt(i - 1) == '_') {
      return 1;
    }
    return i >= 3 && s.regionMatches(true, i - 3, "%5F", 0, 3) ? 3 : 0;
  }

  /** Length of the separator ({@code _} or {@code %5F}) starting at {@code i}, or 0. */
  private static int separatorAt(String s, int i) {
    if (i < s.length() && s.charAt(i) == '_') {
      return 1;
    }
    return s.regionMatches(true, i, "%5F", 0, 3) ? 3 : 0;
  }

  private static boolean endsKey(char c) {
    return c <= ' ' || "/?#&=,;\"'<>".indexOf(c) >= 0;
  }

  private static boolean isAsciiLetterOrDigit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
          && ((s.charAt(i + 1) == 'h' && s.charAt(i + 3) == '_')
              || s.startsWith("github_pat_", i))) {
        return true;
      }
    }
    return false;
  }
}
