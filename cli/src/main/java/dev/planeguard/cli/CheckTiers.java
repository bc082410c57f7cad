package dev.planeguard.cli;

import dev.planeguard.secrets.SecretTiers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code check-tiers [--preset seed] [--tier TIER] ENV_FILE... [--json]}: checks each env file
 * against the tier it belongs to and reports every secret outside its tier and every value shaped
 * like a provider or planeguard key under another name, with file and line. The tier of a file
 * comes from its name, {@code env.tier-<tier>} (optionally with a leading dot and a trailing {@code
 * .suffix}: {@code .env.tier-llm.local}), unless {@code --tier} names it for every file. Exit 0
 * clean, 1 violations, 2 usage (including a file whose tier cannot be told). Never prints a value:
 * only file, line, variable name and the kind of finding.
 */
final class CheckTiers {

  static final String USAGE = "check-tiers [--preset seed] [--tier TIER] ENV_FILE... [--json]";

  private static final Pattern TIER_FILE =
      Pattern.compile("\\.?env\\.tier-([A-Za-z0-9_-]+)(?:\\..*)?");

  /** One file to check. */
  private record Target(Path file, String tier) {}

  /** One finding, located. */
  private record Located(Path file, int line, String tier, SecretTiers.Finding finding) {}

  private CheckTiers() {}

  static int run(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of("preset", "tier"), Set.of("json"));
    String preset = args.optional("preset");
    if (preset != null && !preset.equals("seed")) {
      throw new UsageException("unknown preset; the presets are: seed");
    }
    SecretTiers scopes = SecretTiers.seed();
    if (args.positional().isEmpty()) {
      throw new UsageException("check-tiers needs at least one ENV_FILE");
    }
    String override = args.optional("tier");
    List<Target> targets = new ArrayList<>();
    for (String name : args.positional()) {
      Path file = Path.of(name);
      String tier = override != null ? override : tierOf(file);
      if (tier == null) {
        throw new UsageException(
            "cannot tell the tier of "
                + file
                + " from its name: name it env.tier-<tier>"
                + " or pass --tier");
      }
      try {
        scopes.check(
            tier, Map.of()); // validates the tier name, with a message that is safe to print
      } catch (IllegalArgumentException e) {
        throw new UsageException(file + ": " + e.getMessage());
      }
      targets.add(new Target(file, tier.strip().toLowerCase(Locale.ROOT)));
    }

    List<Located> violations = new ArrayList<>();
    List<Map<String, Object>> files = new ArrayList<>();
    for (Target target : targets) {
      List<EnvFile.Entry> entries = EnvFile.read(target.file());
      int before = violations.size();
      for (EnvFile.Entry entry : entries) {
        for (SecretTiers.Finding f :
            scopes.check(target.tier(), Map.of(entry.name(), entry.value()))) {
          violations.add(new Located(target.file(), entry.line(), target.tier(), f));
        }
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", target.file().toString());
      m.put("tier", target.tier());
      m.put("variables", entries.size());
      m.put("violations", violations.size() - before);
      files.add(m);
    }

    if (o.json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Located v : violations) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", v.file().toString());
        m.put("line", v.line());
        m.put("tier", v.tier());
        m.put("name", v.finding().name());
        m.put("kind", v.finding().kind().name());
        m.put("message", v.finding().message());
        m.put("fix", v.finding().fix());
        list.add(m);
      }
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("ok", violations.isEmpty());
      result.put("preset", "seed");
      result.put("files", files);
      result.put("violations", list);
      o.json(result);
    } else {
      for (Located v : violations) {
        o.out.println(
            v.file()
                + ":"
                + v.line()
                + ": "
                + v.finding().name()
                + " "
                + v.finding().message()
                + " ["
                + v.finding().kind()
                + "]");
        o.out.println("    fix: " + v.finding().fix());
      }
      long dirty = violations.stream().map(Located::file).distinct().count();
      if (violations.isEmpty()) {
        o.out.println(
            "ok: "
                + targets.size()
                + (targets.size() == 1 ? " file" : " files")
                + " checked against preset seed; no secret outside its tier");
      } else {
        o.out.println(
            violations.size()
                + (violations.size() == 1 ? " violation" : " violations")
                + " in "
                + dirty
                + " of "
                + targets.size()
                + (targets.size() == 1 ? " file" : " files")
                + " (preset seed)");
      }
    }
    return violations.isEmpty() ? 0 : 1;
  }

  /** The tier named by a file name of the form {@code env.tier-<tier>}, or {@code null}. */
  static @Nullable String tierOf(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return null;
    }
    Matcher m = TIER_FILE.matcher(name.toString());
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }
}
