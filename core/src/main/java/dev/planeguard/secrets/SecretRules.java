package dev.planeguard.secrets;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.internal.SecretPatterns;
import dev.planeguard.internal.SecretStrength;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The rules a secret value must pass: one set, used by the startup check ({@link Secrets}) and by
 * {@code planeguard check-secrets}, so that both judge a secret the same way.
 *
 * <h2>Which variables hold secrets</h2>
 *
 * <p>{@link #kindOf(String, String)} decides from the name, and from the value only for URLs:
 *
 * <table class="striped">
 *   <caption>Kinds of secret and their shortest length</caption>
 *   <tr><th>kind</th><th>when</th><th>shortest</th></tr>
 *   <tr><td>{@link Kind#URL}</td><td>the value is a URL with a password ({@code
 *       postgres://app:…@db/app}), whatever the name; the password is judged</td>
 *       <td>{@value #MIN_PASSWORD_LENGTH}</td></tr>
 *   <tr><td>{@link Kind#PASSWORD}</td><td>the name ends in {@code PASSWORD}, {@code PASSPHRASE},
 *       {@code _PASS}, {@code _PASSWD} or {@code _PWD}</td><td>{@value #MIN_PASSWORD_LENGTH}</td>
 *       </tr>
 *   <tr><td>{@link Kind#KEY}</td><td>any other secret name of {@link SecretTiers#isSecretName}:
 *       {@code *_KEY}, {@code *_SECRET}, {@code *_TOKEN}, {@code *_PEPPER}, {@code
 *       *_CREDENTIALS}, … (not {@code *PUBLIC_KEY} or {@code *PUBLISHABLE_KEY})</td>
 *       <td>{@value #MIN_KEY_LENGTH}</td></tr>
 *   <tr><td>{@link Kind#OTHER}</td><td>none of these, but resolved as a secret by the application
 *       ({@link Secrets}); {@code check-secrets} does not judge such variables</td>
 *       <td>{@value #MIN_PASSWORD_LENGTH}</td></tr>
 * </table>
 *
 * <h2>The rules</h2>
 *
 * <p>{@link #judge} reports the first rule a value fails, in this order:
 *
 * <ol>
 *   <li>{@link Rule#PLACEHOLDER}: {@code change_me_in_production}, {@code changeme}, {@code xxxxx},
 *       {@code <your-…>}, {@code TODO}, {@code sk-ant-xxxxx}, {@code sk-...xxxx}, a word such as
 *       {@code password}, anywhere in the value, including the password of a URL;
 *   <li>{@link Rule#TOO_SHORT}: fewer characters (Unicode code points) than the kind's shortest;
 *   <li>{@link Rule#WEAK}: the strength estimator zxcvbn scores it below {@value #MIN_SCORE} of 4,
 *       that is, it estimates fewer than 10<sup>10</sup> guesses. zxcvbn recognises common
 *       passwords, dictionary words, names, keyboard patterns, repeats, sequences and dates, and
 *       the words of the variable's own name ({@code POSTGRES_PASSWORD=postgres…}); a random key of
 *       20 or more base62 characters always passes. Only the first {@value #MAX_JUDGED_LENGTH}
 *       characters are judged: the estimate's cost grows steeply with length, and a value is at
 *       least as strong as its start.
 * </ol>
 *
 * <p>File permissions ({@link #checkFile}): a secret file readable or writable by group or others
 * is refused: {@code 0600} or {@code 0400} is required.
 *
 * <p>Findings are violations in preprod and prod and warnings in local and test ({@link
 * Finding#isViolationIn}), except {@link Rule#FILE_PERMISSIONS_UNKNOWN}, always a warning. No
 * finding contains a value.
 */
public final class SecretRules {

  /** The shortest password (and password in a URL), in characters. */
  public static final int MIN_PASSWORD_LENGTH = 20;

  /** The shortest API key, token or other key-like secret, in characters. */
  public static final int MIN_KEY_LENGTH = 32;

  /** The lowest zxcvbn score (0 to 4) accepted: 4 means at least 10^10 estimated guesses. */
  public static final int MIN_SCORE = 4;

  /** How many characters of a value the strength estimator judges. */
  public static final int MAX_JUDGED_LENGTH = 100;

  /** What kind of secret a variable holds, which decides its shortest length. */
  public enum Kind {
    /** A password. */
    PASSWORD(MIN_PASSWORD_LENGTH),
    /** An API key, a token, a signing secret, a pepper. */
    KEY(MIN_KEY_LENGTH),
    /** A URL with a password in it; the password is judged. */
    URL(MIN_PASSWORD_LENGTH),
    /** A secret the application resolves under a name that says nothing of its kind. */
    OTHER(MIN_PASSWORD_LENGTH);

    private final int minLength;

    Kind(int minLength) {
      this.minLength = minLength;
    }

    /** The shortest value accepted, in characters. */
    public int minLength() {
      return minLength;
    }
  }

  /** The rules; the names are stable codes ({@code check-secrets --json} prints them). */
  public enum Rule {
    /** A placeholder instead of a secret. */
    PLACEHOLDER,
    /** Shorter than its kind's shortest length. */
    TOO_SHORT,
    /** Estimated too easy to guess. */
    WEAK,
    /** A secret file readable or writable by group or others. */
    FILE_PERMISSIONS,
    /** A secret file whose permissions cannot be read on this file system. */
    FILE_PERMISSIONS_UNKNOWN,
    /** The same secret value in the env files of two services. */
    SHARED_VALUE
  }

  /**
   * What is wrong with one secret.
   *
   * @param subject the variable or file it concerns
   * @param rule the rule it fails
   * @param message what is wrong, without the value
   * @param fix how to fix it
   */
  public record Finding(String subject, Rule rule, String message, String fix) {

    /** Checks that no component is null. */
    public Finding {
      requireNonNull(subject, "subject");
      requireNonNull(rule, "rule");
      requireNonNull(message, "message");
      requireNonNull(fix, "fix");
    }

    /**
     * Whether this stops a process in {@code mode}: in preprod and prod, but never for unknown
     * permissions.
     */
    public boolean isViolationIn(Mode mode) {
      return mode.isProductionLike() && rule != Rule.FILE_PERMISSIONS_UNKNOWN;
    }

    /**
     * This finding as a problem of a process in {@code mode}, its message saying whether the mode
     * forbids or tolerates it.
     */
    public Problem toProblem(Mode mode) {
      String suffix;
      if (rule == Rule.FILE_PERMISSIONS_UNKNOWN) {
        suffix = "";
      } else if (mode.isProductionLike()) {
        suffix = "; forbidden in " + mode;
      } else {
        suffix = "; tolerated in " + mode + " but refused in preprod and prod";
      }
      return new Problem(subject, message + suffix, fix);
    }

    /** {@code SUBJECT: message (RULE)} */
    @Override
    public String toString() {
      return subject + ": " + message + " (" + rule + ")";
    }
  }

  static final String GENERATE =
      "use a random secret of at least 32 characters, for example from: openssl rand -base64 32";
  private static final String GENERATE_URL =
      "use a random password of at least 20 characters that needs no escaping in a URL, for"
          + " example from: openssl rand -hex 24";
  private static final Set<PosixFilePermission> EXPOSED =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);
  private static final SecretTiers NAMES = SecretTiers.seed();

  private SecretRules() {}

  /**
   * What kind of secret {@code name} holds, or {@code null} if it holds none (see the {@linkplain
   * SecretRules class description}).
   */
  public static @Nullable Kind kindOf(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    if (SecretPatterns.hasUrlCredentials(value)) {
      return Kind.URL;
    }
    String upper = name.toUpperCase(Locale.ROOT);
    if (upper.endsWith("PASSWORD")
        || upper.endsWith("PASSPHRASE")
        || upper.endsWith("_PASS")
        || upper.endsWith("_PASSWD")
        || upper.endsWith("_PWD")) {
      return Kind.PASSWORD;
    }
    return NAMES.isSecretName(name) ? Kind.KEY : null;
  }

  /**
   * The first rule {@code value} fails as a secret of {@code kind}, or empty if it passes them all.
   *
   * @param subject what the finding names: the variable, or {@code NAME_FILE}
   * @param name the variable; the strength estimator counts the words of its name as guessable
   */
  public static Optional<Finding> judge(String subject, String name, Kind kind, String value) {
    requireNonNull(subject, "subject");
    requireNonNull(name, "name");
    requireNonNull(kind, "kind");
    requireNonNull(value, "value");
    String judged = value;
    String what = "is";
    String fix = GENERATE;
    if (kind == Kind.URL) {
      String password = SecretPatterns.urlPassword(value);
      if (password != null) {
        judged = password;
        what = "holds a URL whose password is";
        fix = GENERATE_URL;
      }
    }
    if (SecretPatterns.isPlaceholder(value)) {
      return Optional.of(
          new Finding(subject, Rule.PLACEHOLDER, what + " a placeholder, not a real secret", fix));
    }
    if (judged.codePointCount(0, judged.length()) < kind.minLength()) {
      return Optional.of(
          new Finding(
              subject,
              Rule.TOO_SHORT,
              what + " shorter than " + kind.minLength() + " characters",
              fix));
    }
    int score = SecretStrength.score(judged, MAX_JUDGED_LENGTH, words(name));
    if (score < MIN_SCORE) {
      return Optional.of(
          new Finding(
              subject,
              Rule.WEAK,
              what
                  + " easy to guess: the strength estimator (zxcvbn) scores it "
                  + score
                  + " of 4, "
                  + MIN_SCORE
                  + " needed",
              fix));
    }
    return Optional.empty();
  }

  /**
   * Checks who may read and write a secret file.
   *
   * @param subject what the finding names: the file, or the variable naming it
   * @return {@link Rule#FILE_PERMISSIONS} if group or others may read or write {@code file} ({@code
   *     0600} or {@code 0400} is required), {@link Rule#FILE_PERMISSIONS_UNKNOWN} if its
   *     permissions cannot be read (a file system without POSIX permissions), else empty
   */
  public static Optional<Finding> checkFile(String subject, Path file) {
    requireNonNull(subject, "subject");
    requireNonNull(file, "file");
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    @Nullable Set<PosixFilePermission> permissions;
    try {
      permissions = view == null ? null : view.readAttributes().permissions();
    } catch (IOException | SecurityException e) {
      permissions = null;
    }
    if (permissions == null) {
      return Optional.of(
          new Finding(
              subject,
              Rule.FILE_PERMISSIONS_UNKNOWN,
              "has permissions that cannot be checked on this file system",
              "make sure only the service's user can read the file"));
    }
    Set<PosixFilePermission> exposed = EnumSet.noneOf(PosixFilePermission.class);
    exposed.addAll(permissions);
    exposed.retainAll(EXPOSED);
    if (exposed.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Finding(
            subject,
            Rule.FILE_PERMISSIONS,
            "is readable or writable by group or others ("
                + PosixFilePermissions.toString(permissions)
                + ")",
            "chmod 600 the file (Kubernetes: defaultMode: 0400; Docker Compose secrets: mode:"
                + " 0400)"));
  }

  /**
   * The words of a variable name, lower case: {@code POSTGRES_PASSWORD} gives postgres, password.
   */
  private static List<String> words(String name) {
    return Arrays.stream(name.toLowerCase(Locale.ROOT).split("[^a-z0-9]+"))
        .filter(w -> w.length() >= 3)
        .toList();
  }
}
