package dev.planeguard.testing;

import static java.util.Objects.requireNonNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Asserts that no secret used in a scenario appears in what the scenario produced: captured output,
 * exception messages and stack traces, and the {@code toString()} of objects.
 *
 * <p>Register every secret the scenario used and every text to search, in any order, then call
 * {@link #assertClean()}:
 *
 * <pre>{@code
 * LeakCheck.create()
 *     .secret("HS secret", hsSecret)            // the value, and every 12-character piece of it
 *     .apiKey("machine key", key)               // the key, and pieces of its secret part
 *     .jwt("token", token)                      // the token, and pieces of its signature
 *     .output(capture)                          // System.out and System.err of the scenario
 *     .throwable("startup", exception)          // message, causes, suppressed, stack trace
 *     .objects(decision, auditEvent, request)   // toString() of each
 *     .assertClean();
 * }</pre>
 *
 * <p>A piece of a secret is a leak too: a value cut short, or escaped around one character, still
 * gives most of it away. Only register pieces that are secret: a planeguard key's id is public
 * (audit events name it), so {@link #apiKey} searches for pieces of the 43-character secret part
 * only. Failure messages name the secret's label and where it was found, never the secret.
 */
public final class LeakCheck {

  /** The length of the pieces of a secret searched for. */
  public static final int PIECE = 12;

  /**
   * A registered secret.
   *
   * @param label names it in failures
   * @param whole searched for as a whole
   * @param pieces searched for in {@link #PIECE}-character windows (may be empty)
   */
  private record Registered(String label, String whole, String pieces) {}

  /**
   * A text to search.
   *
   * @param where names it in failures
   * @param text its content
   */
  private record Searched(String where, String text) {}

  private final List<Registered> secrets = new ArrayList<>();
  private final List<Searched> texts = new ArrayList<>();

  private LeakCheck() {}

  /** A check with no secrets registered yet. */
  public static LeakCheck create() {
    return new LeakCheck();
  }

  /** Registers a secret: neither it nor any {@value #PIECE}-character piece of it may appear. */
  public LeakCheck secret(String label, String value) {
    return register(label, value, value);
  }

  /**
   * Registers a value that must not appear whole, but whose pieces are public or common (a fixed
   * prefix, a placeholder word).
   */
  public LeakCheck wholeValue(String label, String value) {
    return register(label, value, "");
  }

  /**
   * Registers a planeguard key: the whole key, and pieces of its secret part (the fifth field),
   * since prefix, kind, mode and id are public.
   */
  public LeakCheck apiKey(String label, String key) {
    String[] fields = key.split("_");
    if (fields.length != 6) {
      throw new IllegalArgumentException("not a planeguard key: " + label);
    }
    return register(label, key, fields[4]);
  }

  /** Registers a JWT: the whole token, and pieces of its signature. */
  public LeakCheck jwt(String label, String token) {
    int dot = token.lastIndexOf('.');
    return register(label, token, dot < 0 ? token : token.substring(dot + 1));
  }

  private LeakCheck register(String label, String whole, String pieces) {
    requireNonNull(label, "label");
    if (whole.length() < 8) {
      throw new IllegalArgumentException(
          "secret " + label + " is too short to search for without false alarms");
    }
    secrets.add(new Registered(label, whole, pieces));
    return this;
  }

  /** Searches {@code text}, described as {@code where} in failures. */
  public LeakCheck text(String where, String text) {
    texts.add(new Searched(requireNonNull(where, "where"), requireNonNull(text, "text")));
    return this;
  }

  /** Searches both streams of a capture. */
  public LeakCheck output(OutputCapture capture) {
    return text("System.out", capture.out()).text("System.err", capture.err());
  }

  /**
   * Searches a throwable: its {@code toString()}, message and localized message, its printed stack
   * trace (which includes causes and suppressed exceptions), and those of every cause.
   */
  public LeakCheck throwable(String where, Throwable t) {
    StringWriter trace = new StringWriter();
    t.printStackTrace(new PrintWriter(trace));
    text(where + " (stack trace)", trace.toString());
    int depth = 0;
    for (Throwable cur = t; cur != null && depth < 16; cur = cur.getCause(), depth++) {
      text(where + " (" + cur.getClass().getSimpleName() + ".toString)", String.valueOf(cur));
      text(
          where + " (" + cur.getClass().getSimpleName() + ".getMessage)",
          String.valueOf(cur.getMessage()));
      text(
          where + " (" + cur.getClass().getSimpleName() + ".getLocalizedMessage)",
          String.valueOf(cur.getLocalizedMessage()));
    }
    return this;
  }

  /** Searches the {@code toString()} of each object. */
  public LeakCheck objects(Object... objects) {
    for (Object o : objects) {
      text("toString of " + o.getClass().getName(), o.toString());
    }
    return this;
  }

  /** The leaks found, each naming a secret's label and where; never the secret. */
  public List<String> leaks() {
    List<String> leaks = new ArrayList<>();
    for (Searched t : texts) {
      for (Registered s : secrets) {
        String leak = find(s, t);
        if (leak != null) {
          leaks.add(leak);
        }
      }
    }
    return leaks;
  }

  private static @Nullable String find(Registered s, Searched t) {
    int at = t.text().indexOf(s.whole());
    if (at >= 0) {
      return s.label() + " found whole in " + t.where() + " at offset " + at;
    }
    String p = s.pieces();
    for (int i = 0; i + PIECE <= p.length(); i++) {
      int pieceAt = t.text().indexOf(p.substring(i, i + PIECE));
      if (pieceAt >= 0) {
        return s.label()
            + " found in part (characters "
            + i
            + " to "
            + (i + PIECE)
            + " of its secret part) in "
            + t.where()
            + " at offset "
            + pieceAt;
      }
    }
    return null;
  }

  /**
   * Fails if any registered secret appears in any searched text, or if nothing was checked (no
   * secret registered or no text searched), since such a check could never fail.
   */
  public void assertClean() {
    if (secrets.isEmpty() || texts.isEmpty()) {
      throw new AssertionError("leak check checked nothing: register secrets and search texts");
    }
    List<String> leaks = leaks();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          leaks.size()
              + " secret leak(s):"
              + System.lineSeparator()
              + "  "
              + String.join(System.lineSeparator() + "  ", leaks));
    }
  }
}
