package dev.planeguard.secrets;

import static java.util.Objects.requireNonNull;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.internal.Text;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Resolves the secrets a process reads at startup, and collects what is wrong with them.
 *
 * <p>A secret {@code NAME} is looked up in this order; the first that is set wins:
 *
 * <ol>
 *   <li>{@code NAME_FILE}: the path of a file holding the value (a mounted Docker or Kubernetes
 *       secret). Trailing line breaks are removed; nothing else is. If {@code NAME_FILE} is set,
 *       {@code NAME} is ignored, even when the file cannot be read: that is a violation, never a
 *       reason to fall back.
 *   <li>{@code NAME}: the environment variable itself.
 *   <li>the default the application configured ({@link #find(String, String)}).
 * </ol>
 *
 * <p>A variable set to a blank value counts as unset. What is wrong is collected rather than thrown
 * one at a time, so a process that reads several secrets can report them all at once:
 *
 * <table class="striped">
 *   <caption>Checks on every resolved secret</caption>
 *   <tr><th>finding</th><th>preprod, prod</th><th>local, test</th></tr>
 *   <tr><td>{@code NAME_FILE} names no readable regular file, a file over 64 KiB, a file that is
 *       not UTF-8, or an empty file</td><td>violation</td><td>violation</td></tr>
 *   <tr><td>a required secret is not set</td><td>violation</td><td>violation</td></tr>
 *   <tr><td>the secret file is readable or writable by group or others</td><td>violation</td>
 *       <td>warning</td></tr>
 *   <tr><td>the value is a placeholder ({@code change_me_in_production}, {@code changeme}, {@code
 *       xxxxx}, {@code <your-…>}, {@code sk-xxxxx}, {@code password}, …, anywhere in it)</td>
 *       <td>violation</td><td>warning</td></tr>
 *   <tr><td>the value is shorter than {@value SecretRules#MIN_PASSWORD_LENGTH} characters, or
 *       {@value SecretRules#MIN_KEY_LENGTH} for a key or token name ({@code *_KEY}, {@code
 *       *_SECRET}, {@code *_TOKEN}, …)</td><td>violation</td><td>warning</td></tr>
 *   <tr><td>the strength estimator scores the value below {@value SecretRules#MIN_SCORE} of 4
 *       </td><td>violation</td><td>warning</td></tr>
 *   <tr><td>both {@code NAME_FILE} and {@code NAME} are set</td><td>warning</td><td>warning</td></tr>
 * </table>
 *
 * <!-- example: Secrets.fromEnvironment -->
 *
 * <pre>{@code
 * Secrets secrets = Secrets.fromEnvironment(contract.mode());
 * Optional<Secret> hs = secrets.require("PLANEGUARD_HUMAN_HS_SECRET");
 * Optional<Secret> pepper = secrets.find("PLANEGUARD_KEY_PEPPER");
 * secrets.check();   // throws ConfigurationException listing every violation
 * }</pre>
 *
 * <p>The rules are {@link SecretRules}'s, the same {@code planeguard check-secrets} applies to env
 * files.
 *
 * <p>No problem, warning, exception or {@code toString()} ever contains a secret value: they name
 * the variable, the file and what is wrong. An instance collects problems as secrets are resolved;
 * use it from one thread, at startup.
 */
public final class Secrets {

  /** Appended to a secret's name to form the variable holding the path of its file. */
  public static final String FILE_SUFFIX = "_FILE";

  /**
   * The shortest secret accepted in preprod and prod, in characters (Unicode code points): {@link
   * SecretRules#MIN_PASSWORD_LENGTH}; keys and tokens need {@link SecretRules#MIN_KEY_LENGTH}.
   */
  public static final int MIN_LENGTH = SecretRules.MIN_PASSWORD_LENGTH;

  /** The largest secret file read, in bytes. */
  public static final int MAX_FILE_BYTES = 64 * 1024;

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final int SHOWN = 200;

  private final Mode mode;
  private final Map<String, String> env;
  private final List<Problem> violations = new ArrayList<>();
  private final List<Problem> warnings = new ArrayList<>();
  private final Set<String> resolved = new LinkedHashSet<>();

  private Secrets(Mode mode, Map<String, String> env) {
    this.mode = requireNonNull(mode, "mode");
    this.env = Map.copyOf(requireNonNull(env, "env"));
  }

  /**
   * Resolves secrets from {@code env} (and the files it names) for a process in {@code mode}.
   *
   * @param mode decides whether weak secrets are violations (preprod, prod) or warnings
   * @param env the environment, usually {@link System#getenv()}
   */
  public static Secrets of(Mode mode, Map<String, String> env) {
    return new Secrets(mode, env);
  }

  /** Resolves secrets from the process environment. */
  public static Secrets fromEnvironment(Mode mode) {
    return of(mode, System.getenv());
  }

  /**
   * Resolves {@code name} from {@code NAME_FILE} or {@code NAME}.
   *
   * @return the secret, or empty if neither is set or its file could not be read (a violation)
   * @throws IllegalArgumentException if {@code name} is not an environment variable name
   */
  public Optional<Secret> find(String name) {
    return Optional.ofNullable(resolve(name, null));
  }

  /**
   * Like {@link #find}, but a secret that is not set is a violation.
   *
   * @return the secret, or empty exactly when a violation was recorded for it
   */
  public Optional<Secret> require(String name) {
    int before = violations.size();
    Secret secret = resolve(name, null);
    if (secret == null && violations.size() == before) {
      violations.add(
          new Problem(
              name,
              "is not set",
              "set "
                  + name
                  + FILE_SUFFIX
                  + " to the path of a secret file (preferred), or "
                  + name
                  + " to the value"));
    }
    return Optional.ofNullable(secret);
  }

  /**
   * Resolves {@code name} from {@code NAME_FILE} or {@code NAME}, else {@code configuredDefault}.
   * The default passes the same checks as any other value.
   *
   * @return the secret, or empty exactly when {@code NAME_FILE} is set but cannot be read (a
   *     violation): a broken secret file is never replaced by the default
   */
  public Optional<Secret> find(String name, String configuredDefault) {
    requireNonNull(configuredDefault, "configuredDefault");
    return Optional.ofNullable(resolve(name, configuredDefault));
  }

  /** The violations found so far, in the order found. */
  public List<Problem> violations() {
    return List.copyOf(violations);
  }

  /** Problems tolerated in this mode (refused in preprod and prod), in the order found. */
  public List<Problem> warnings() {
    return List.copyOf(warnings);
  }

  /**
   * Throws if any violation was found.
   *
   * @throws ConfigurationException listing every violation
   */
  public void check() {
    if (!violations.isEmpty()) {
      throw new ConfigurationException("Invalid secrets", violations);
    }
  }

  private @Nullable Secret resolve(String name, @Nullable String configuredDefault) {
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "not an environment variable name: " + Text.quote(name, 64));
    }
    resolved.add(name);
    String fileVariable = name + FILE_SUFFIX;
    String file = get(fileVariable);
    String direct = get(name);
    if (file != null) {
      if (direct != null) {
        warnings.add(
            new Problem(
                name,
                "both " + fileVariable + " and " + name + " are set; " + name + " is ignored",
                "unset " + name));
      }
      return readFile(name, fileVariable, file);
    }
    if (direct != null) {
      return checked(new Secret(name, Secret.Source.ENVIRONMENT, null, direct), name, "");
    }
    if (configuredDefault != null) {
      return checked(
          new Secret(name, Secret.Source.DEFAULT, null, configuredDefault),
          name,
          " (the configured default)");
    }
    return null;
  }

  private @Nullable Secret readFile(String name, String fileVariable, String location) {
    Path path;
    try {
      path = Path.of(location);
    } catch (InvalidPathException e) {
      violations.add(
          new Problem(
              fileVariable,
              "is not a valid file path",
              "set " + fileVariable + " to the path of the secret file"));
      return null;
    }
    String shown = Text.quote(path.toString(), SHOWN);
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      violations.add(
          new Problem(
              fileVariable,
              "names " + shown + ", which is not a readable file",
              "mount the secret file at " + shown + " or correct " + fileVariable));
      return null;
    }
    checkPermissions(fileVariable, path, shown);
    byte[] bytes;
    try {
      if (Files.size(path) > MAX_FILE_BYTES) {
        violations.add(
            new Problem(
                fileVariable,
                "names " + shown + ", which is larger than " + MAX_FILE_BYTES / 1024 + " KiB",
                "point " + fileVariable + " at the file holding only the secret"));
        return null;
      }
      bytes = Files.readAllBytes(path);
    } catch (IOException | SecurityException e) {
      violations.add(
          new Problem(
              fileVariable,
              "names " + shown + ", which cannot be read (" + e.getClass().getSimpleName() + ")",
              "make the file readable by the service's user only (chmod 400 or 600)"));
      return null;
    }
    String value = Text.utf8(bytes);
    if (value == null) {
      violations.add(
          new Problem(
              fileVariable,
              "names " + shown + ", which is not UTF-8 text",
              "write the secret to the file as text"));
      return null;
    }
    int end = value.length();
    while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
      end--;
    }
    value = value.substring(0, end);
    if (value.isEmpty()) {
      violations.add(
          new Problem(
              fileVariable, "names " + shown + ", which is empty", "write the secret to " + shown));
      return null;
    }
    return checked(new Secret(name, Secret.Source.FILE, path, value), fileVariable, "");
  }

  private void checkPermissions(String fileVariable, Path path, String shown) {
    SecretRules.checkFile(fileVariable, path)
        .ifPresent(f -> record(reworded(f, "names " + shown + ", which " + f.message())));
  }

  /** Runs the rules of {@link SecretRules} on a resolved value; returns the secret either way. */
  private Secret checked(Secret secret, String subject, String origin) {
    String value = secret.reveal();
    SecretRules.Kind kind = SecretRules.kindOf(secret.name(), value);
    SecretRules.judge(subject, secret.name(), kind == null ? SecretRules.Kind.OTHER : kind, value)
        .ifPresent(f -> record(reworded(f, f.message() + origin)));
    return secret;
  }

  private static SecretRules.Finding reworded(SecretRules.Finding f, String message) {
    return new SecretRules.Finding(f.subject(), f.rule(), message, f.fix());
  }

  /** A violation in preprod and prod, a warning elsewhere (unknown permissions: a warning). */
  private void record(SecretRules.Finding finding) {
    (finding.isViolationIn(mode) ? violations : warnings).add(finding.toProblem(mode));
  }

  private @Nullable String get(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  /** Mode, the names resolved so far and how many problems were found; never a value. */
  @Override
  public String toString() {
    return "Secrets{mode="
        + mode
        + ", resolved="
        + resolved
        + ", violations="
        + violations.size()
        + ", warnings="
        + warnings.size()
        + "}";
  }
}
