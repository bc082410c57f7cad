package dev.planeguard.cli;

import dev.planeguard.ApiKey;
import dev.planeguard.ConfigurationException;
import dev.planeguard.KeyFile;
import dev.planeguard.KeyLifecycle;
import dev.planeguard.KeyRecord;
import dev.planeguard.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code keys}: the key lifecycle on a key file. {@code new} and {@code rotate} print the new
 * plaintext key once, on standard output (alone on its line, or in the JSON), and store only its
 * hash; nothing else ever prints a key or a hash. Each change is written atomically and audited on
 * the logger {@code planeguard.audit} (standard error). Exit 0 done, 1 refused (no such key, a
 * revoked key to rotate, an invalid or unwritable file), 2 usage error.
 */
final class Keys {

  static final String USAGE =
      """
      keys new --kind mk|sk --mode MODE --tenant T [--scopes a,b] [--not-after INSTANT]
                 --file KEYS_FILE [--json]
        keys rotate ID [--grace 48h] --file KEYS_FILE [--json]
        keys revoke ID --file KEYS_FILE [--json]
        keys list --file KEYS_FILE [--json]
        keys import-legacy ID --kind mk|sk --mode MODE (--from-env VAR | --from-file FILE)
                 [--tenant T] [--scopes a,b] [--not-after INSTANT] --file KEYS_FILE [--json]\
      """;

  private static final Pattern GRACE = Pattern.compile("(\\d{1,6})([smhd])");

  private Keys() {}

  static int run(List<String> argv, Map<String, String> env, Output o) {
    if (argv.isEmpty() || argv.get(0).startsWith("--")) {
      throw new UsageException("keys needs a subcommand: new, rotate, revoke, list, import-legacy");
    }
    String sub = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    try {
      return switch (sub) {
        case "new" -> create(rest, o);
        case "rotate" -> rotate(rest, o);
        case "revoke" -> revoke(rest, o);
        case "list" -> list(rest, o);
        case "import-legacy" -> importLegacy(rest, env, o);
        default -> throw new UsageException("unknown keys subcommand " + sub);
      };
    } catch (ConfigurationException e) {
      return refused(o, "invalid key file", e.getMessage(), e);
    } catch (NoSuchElementException | IllegalStateException e) {
      return refused(o, "refused", e.getMessage(), null);
    } catch (UncheckedIOException e) {
      Throwable cause = e.getCause();
      return refused(
          o,
          "cannot write",
          e.getMessage() + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"),
          null);
    }
  }

  private static int create(List<String> argv, Output o) {
    Args args =
        Args.parse(
            argv, Set.of("kind", "mode", "tenant", "scopes", "not-after", "file"), Set.of("json"));
    noPositional(args, "keys new");
    ApiKey.Kind kind = kind(args);
    Mode mode = mode(args);
    String tenant = args.required("tenant");
    Set<String> scopes = scopes(args);
    Instant notAfter = notAfter(args);
    try (KeyFile file = KeyFile.openOrCreate(file(args))) {
      KeyLifecycle.Issued issued;
      try {
        issued = KeyLifecycle.of(file).create(kind, mode, tenant, scopes, notAfter);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      }
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("key", issued.key().value());
        m.putAll(describe(issued.record(), null));
        m.put("file", file.path().toString());
        o.json(m);
      } else {
        o.out.println(issued.key().value());
        o.err.println(
            "created " + summary(issued.record()) + " in " + file.path()
                + "; the key above is shown this once and stored only as a hash");
      }
    }
    return 0;
  }

  private static int rotate(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of("grace", "file"), Set.of("json"));
    String id = oneId(args, "keys rotate");
    Duration grace = grace(args.optional("grace"));
    try (KeyFile file = KeyFile.open(file(args))) {
      KeyLifecycle.Issued issued = KeyLifecycle.of(file).rotate(id, grace);
      KeyRecord old = issued.predecessor();
      Instant until = old == null ? null : old.notAfter();
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("key", issued.key().value());
        m.putAll(describe(issued.record(), null));
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("notAfter", until == null ? null : until.toString());
        m.put("predecessor", p);
        m.put("file", file.path().toString());
        o.json(m);
      } else {
        o.out.println(issued.key().value());
        o.err.println(
            "rotated " + id + ": successor " + summary(issued.record()) + "; " + id
                + " keeps working until " + until
                + ". The key above is shown this once and stored only as a hash");
      }
    }
    return 0;
  }

  private static int revoke(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of("file"), Set.of("json"));
    String id = oneId(args, "keys revoke");
    try (KeyFile file = KeyFile.open(file(args))) {
      KeyRecord revoked = KeyLifecycle.of(file).revoke(id);
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.putAll(describe(revoked, null));
        m.put("file", file.path().toString());
        o.json(m);
      } else {
        o.out.println("revoked " + revoked.id());
      }
    }
    return 0;
  }

  private static int list(List<String> argv, Output o) {
    Args args = Args.parse(argv, Set.of("file"), Set.of("json"));
    noPositional(args, "keys list");
    Instant now = Instant.now();
    try (KeyFile file = KeyFile.open(file(args))) {
      List<KeyRecord> records = file.records();
      if (o.json) {
        List<Map<String, Object>> keys = new ArrayList<>();
        for (KeyRecord r : records) {
          keys.add(describe(r, now));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("file", file.path().toString());
        m.put("keys", keys);
        o.json(m);
      } else {
        o.out.print(table(records, now));
        o.out.println(records.size() + (records.size() == 1 ? " key" : " keys"));
      }
    }
    return 0;
  }

  private static int importLegacy(List<String> argv, Map<String, String> env, Output o) {
    Args args =
        Args.parse(
            argv,
            Set.of("kind", "mode", "tenant", "scopes", "not-after", "from-env", "from-file", "file"),
            Set.of("json"));
    String id = oneId(args, "keys import-legacy");
    ApiKey.Kind kind = kind(args);
    Mode mode = mode(args);
    Set<String> scopes = scopes(args);
    Instant notAfter = notAfter(args);
    String secret = secret(args, env);
    try (KeyFile file = KeyFile.openOrCreate(file(args))) {
      if (file.findById(id) != null) {
        throw new IllegalStateException("a key with id " + id + " exists in " + file.path());
      }
      if (file.findByHash(ApiKey.hash(secret)) != null) {
        throw new IllegalStateException("this legacy secret is already in " + file.path());
      }
      KeyRecord record;
      try {
        record =
            KeyLifecycle.of(file)
                .importLegacy(id, secret, kind, mode, args.optional("tenant"), scopes, notAfter);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      }
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.putAll(describe(record, null));
        m.put("file", file.path().toString());
        o.json(m);
      } else {
        o.out.println("imported legacy key " + record.id());
        o.err.println(
            "only its hash is stored; issue its structured successor with: keys rotate "
                + record.id() + " --file " + file.path());
      }
    }
    return 0;
  }

  private static int refused(
      Output o, String error, @Nullable String message, @Nullable ConfigurationException e) {
    if (o.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", false);
      m.put("error", error);
      m.put("message", message);
      if (e != null) {
        m.put("problems", Output.problems(e.problems()));
      }
      o.json(m);
    } else if (e != null) {
      o.problemLines(
          "planeguard: invalid key file (" + e.problems().size() + " problems):",
          e.problems(),
          o.err);
    } else {
      o.err.println("planeguard: " + message);
    }
    return 1;
  }

  /** A record for output: every field but the hash. */
  static Map<String, Object> describe(KeyRecord r, @Nullable Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("legacy", r.legacy());
    m.put("kind", r.kind().code());
    m.put("mode", r.mode().id());
    m.put("tenant", r.tenant());
    m.put("scopes", List.copyOf(r.scopes()));
    m.put("status", r.status().id());
    m.put("notAfter", r.notAfter() == null ? null : String.valueOf(r.notAfter()));
    if (now != null) {
      m.put("usable", r.usableAt(now));
    }
    return m;
  }

  private static String summary(KeyRecord r) {
    return r.id() + " (" + r.kind().code() + ", " + r.mode().id()
        + (r.tenant() == null ? "" : ", tenant " + r.tenant())
        + (r.scopes().isEmpty() ? "" : ", scopes " + String.join(",", r.scopes())) + ")";
  }

  static String table(List<KeyRecord> records, Instant now) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ID", "FORMAT", "KIND", "MODE", "TENANT", "SCOPES", "STATUS", "NOT_AFTER"});
    for (KeyRecord r : records) {
      String status =
          r.status() == KeyRecord.Status.REVOKED ? "revoked" : r.usableAt(now) ? "active" : "expired";
      rows.add(
          new String[] {
            r.id(),
            r.legacy() ? "legacy" : "key",
            r.kind().code(),
            r.mode().id(),
            r.tenant() == null ? "-" : r.tenant(),
            r.scopes().isEmpty() ? "-" : String.join(",", r.scopes()),
            status,
            r.notAfter() == null ? "-" : String.valueOf(r.notAfter())
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        sb.append(row[i]);
        if (i < row.length - 1) {
          sb.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void noPositional(Args args, String command) {
    if (!args.positional().isEmpty()) {
      throw new UsageException(command + " takes no positional arguments");
    }
  }

  private static String oneId(Args args, String command) {
    if (args.positional().size() != 1) {
      throw new UsageException(command + " needs exactly one key ID");
    }
    return args.positional().get(0);
  }

  private static Path file(Args args) {
    return Path.of(args.required("file"));
  }

  private static ApiKey.Kind kind(Args args) {
    ApiKey.Kind kind = ApiKey.Kind.fromCode(args.required("kind"));
    if (kind == null) {
      throw new UsageException("--kind must be mk (machine) or sk (sandbox)");
    }
    return kind;
  }

  private static Mode mode(Args args) {
    Mode mode = Mode.parse(args.required("mode"));
    if (mode == null) {
      throw new UsageException("--mode must be one of local, test, preprod, prod");
    }
    return mode;
  }

  private static Set<String> scopes(Args args) {
    String value = args.optional("scopes");
    Set<String> scopes = new LinkedHashSet<>();
    if (value != null) {
      for (String s : value.split(",", -1)) {
        String scope = s.strip();
        if (!scope.isEmpty()) {
          scopes.add(scope);
        }
      }
    }
    return scopes;
  }

  private static @Nullable Instant notAfter(Args args) {
    String value = args.optional("not-after");
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new UsageException("--not-after must be an ISO-8601 instant such as 2027-01-01T00:00:00Z");
    }
  }

  /** {@code 48h}, {@code 30m}, {@code 2d}, {@code 90s}, {@code 0}, or ISO-8601 ({@code PT48H}). */
  static Duration grace(@Nullable String value) {
    if (value == null) {
      return KeyLifecycle.DEFAULT_GRACE;
    }
    Duration grace;
    Matcher m = GRACE.matcher(value);
    if (value.equals("0")) {
      grace = Duration.ZERO;
    } else if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      grace =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        grace = Duration.parse(value.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new UsageException("--grace must look like 48h, 30m, 2d or PT48H");
      }
    }
    if (grace.isNegative() || grace.compareTo(KeyLifecycle.MAX_GRACE) > 0) {
      throw new UsageException("--grace must be between 0 and 30d");
    }
    return grace;
  }

  /** The legacy secret, from an environment variable or a file; never from the command line. */
  private static String secret(Args args, Map<String, String> env) {
    String variable = args.optional("from-env");
    String fileName = args.optional("from-file");
    if ((variable == null) == (fileName == null)) {
      throw new UsageException(
          "keys import-legacy reads the secret from exactly one of --from-env VAR or --from-file"
              + " FILE (never from the command line)");
    }
    String secret;
    if (variable != null) {
      secret = env.get(variable);
      if (secret == null || secret.isEmpty()) {
        throw new UsageException("the environment variable " + variable + " is not set");
      }
    } else {
      String name = String.valueOf(fileName);
      try {
        secret = Files.readString(Path.of(name), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UsageException("cannot read --from-file " + name);
      }
    }
    int end = secret.length();
    while (end > 0 && (secret.charAt(end - 1) == '\n' || secret.charAt(end - 1) == '\r')) {
      end--;
    }
    return secret.substring(0, end);
  }
}
