package dev.planeguard.cli;

import dev.planeguard.ContractSpec;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.secrets.SecretRules;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code check-secrets ENV_FILE... [--mode MODE] [--json]}: judges the secrets of env files the way
 * the startup check judges a process's ({@link SecretRules}): each file must be readable and
 * writable by its owner only; each secret variable (by its name, or a URL with a password) must not
 * be a placeholder, too short or guessable; no secret value may appear in two of the files. The
 * mode is {@code --mode}, else the {@code AOS_MODE} the files set (they must agree), else prod, the
 * strictest. Findings are violations in preprod and prod and warnings elsewhere. Exit 0 when no
 * violation was found (warnings are printed), 1 otherwise, 2 on a usage error. Never prints a
 * value; values are compared by their SHA-256.
 */
final class CheckSecrets {

  static final String USAGE = "check-secrets ENV_FILE... [--mode MODE] [--json]";

  /** One finding, located; {@code line} 0 for the file itself. */
  private record Located(Path file, int line, SecretRules.Finding finding, boolean violation) {}

  /** Where a secret value was first seen (the map from its SHA-256 holds it). */
  private record Seen(Path file, int line, String name) {}

  private CheckSecrets() {}

  static int run(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of("mode"), Set.of("json"));
    if (args.positional().isEmpty()) {
      throw new UsageException("check-secrets needs at least one ENV_FILE");
    }
    List<Path> paths = args.positional().stream().map(Path::of).toList();
    Map<Path, List<EnvFile.Entry>> files = new LinkedHashMap<>();
    for (Path file : paths) {
      if (files.containsKey(file)) {
        throw new UsageException(file + " is given twice");
      }
      files.put(file, EnvFile.read(file));
    }
    String modeVariable = ContractSpec.standard().modeVariable();
    String given = args.optional("mode");
    Mode fromFiles = modeOfFiles(files, modeVariable);
    Mode mode;
    String modeSource;
    if (given != null) {
      Mode parsed = Mode.parse(given);
      if (parsed == null) {
        throw new UsageException("--mode must be local, test, preprod or prod");
      }
      mode = parsed;
      modeSource = "--mode";
    } else if (fromFiles != null) {
      mode = fromFiles;
      modeSource = modeVariable;
    } else {
      mode = Mode.PROD;
      modeSource = "strictest";
    }
    return check(files, mode, modeSource, modeVariable, o);
  }

  private static int check(
      Map<Path, List<EnvFile.Entry>> files,
      Mode mode,
      String modeSource,
      String modeVariable,
      Output o) {

    List<Located> found = new ArrayList<>();
    Map<String, Seen> seen = new HashMap<>();
    List<Map<String, Object>> summaries = new ArrayList<>();
    for (Map.Entry<Path, List<EnvFile.Entry>> e : files.entrySet()) {
      Path file = e.getKey();
      int secrets = 0;
      SecretRules.checkFile(file.toString(), file)
          .ifPresent(f -> found.add(new Located(file, 0, f, f.isViolationIn(mode))));
      for (EnvFile.Entry entry : e.getValue()) {
        SecretRules.Kind kind = SecretRules.kindOf(entry.name(), entry.value());
        if (kind == null || entry.value().isEmpty()) {
          continue;
        }
        secrets++;
        SecretRules.judge(entry.name(), entry.name(), kind, entry.value())
            .ifPresent(f -> found.add(new Located(file, entry.line(), f, f.isViolationIn(mode))));
        String digest = sha256(entry.value());
        Seen first = seen.putIfAbsent(digest, new Seen(file, entry.line(), entry.name()));
        if (first != null && !first.file().equals(file)) {
          SecretRules.Finding f =
              new SecretRules.Finding(
                  entry.name(),
                  SecretRules.Rule.SHARED_VALUE,
                  "has the same value as "
                      + first.name()
                      + " in "
                      + first.file()
                      + ":"
                      + first.line(),
                  "give each service its own secret (its own key, its own database role and"
                      + " password), so that one leaked env file exposes one service");
          found.add(new Located(file, entry.line(), f, f.isViolationIn(mode)));
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("variables", e.getValue().size());
      m.put("secrets", secrets);
      summaries.add(m);
    }

    List<Located> violations = found.stream().filter(Located::violation).toList();
    List<Located> warnings = found.stream().filter(l -> !l.violation()).toList();
    if (o.json) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ok", violations.isEmpty());
      result.put("mode", mode.id());
      result.put("modeFrom", modeSource);
      result.put("files", summaries);
      result.put("violations", json(violations, mode));
      result.put("warnings", json(warnings, mode));
      o.json(result);
    } else {
      for (Located l : found) {
        Problem p = l.finding().toProblem(mode);
        String where = l.file() + (l.line() > 0 ? ":" + l.line() + ": " + p.subject() : "");
        o.out.println(
            (l.violation() ? "" : "warning: ")
                + where
                + " "
                + p.message()
                + " ["
                + l.finding().rule()
                + "]");
        o.out.println("    fix: " + p.fix());
      }
      String checked =
          files.size()
              + (files.size() == 1 ? " file" : " files")
              + " checked in mode "
              + mode
              + (modeSource.equals("strictest")
                  ? " (neither --mode nor " + modeVariable + " given: judged as strictly as prod)"
                  : " (from " + modeSource + ")");
      if (violations.isEmpty()) {
        o.out.println(
            "ok: "
                + checked
                + (warnings.isEmpty() ? "; no problem" : "; " + count(warnings.size(), "warning")));
      } else {
        o.out.println(
            count(violations.size(), "violation")
                + (warnings.isEmpty() ? "" : ", " + count(warnings.size(), "warning"))
                + ": "
                + checked);
      }
    }
    return violations.isEmpty() ? 0 : 1;
  }

  /**
   * The mode the files set with {@code AOS_MODE}, or {@code null} if none does.
   *
   * @throws UsageException if a file sets a value that is not a mode, or files disagree
   */
  private static @Nullable Mode modeOfFiles(
      Map<Path, List<EnvFile.Entry>> files, String modeVariable) {
    Mode mode = null;
    Path from = null;
    for (Map.Entry<Path, List<EnvFile.Entry>> e : files.entrySet()) {
      for (EnvFile.Entry entry : e.getValue()) {
        if (!entry.name().equals(modeVariable)) {
          continue;
        }
        Mode m = Mode.parse(entry.value());
        if (m == null) {
          throw new UsageException(
              e.getKey()
                  + ":"
                  + entry.line()
                  + ": "
                  + modeVariable
                  + " must be local, test, preprod or prod");
        }
        if (mode != null && m != mode) {
          throw new UsageException(
              "the files set different modes ("
                  + from
                  + ": "
                  + mode
                  + ", "
                  + e.getKey()
                  + ": "
                  + m
                  + "); check them separately or pass --mode");
        }
        mode = m;
        from = e.getKey();
      }
    }
    return mode;
  }

  private static List<Map<String, Object>> json(List<Located> located, Mode mode) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Located l : located) {
      Problem p = l.finding().toProblem(mode);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", l.file().toString());
      m.put("line", l.line() > 0 ? l.line() : null);
      m.put("name", l.line() > 0 ? p.subject() : null);
      m.put("rule", l.finding().rule().name());
      m.put("message", p.message());
      m.put("fix", p.fix());
      list.add(m);
    }
    return list;
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  private static String sha256(String value) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
