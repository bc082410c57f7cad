package dev.planeguard.cli;

import dev.planeguard.Admission;
import dev.planeguard.AuditLedger;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.Problem;
import dev.planeguard.RateLimit;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyLimits;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyUsage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * {@code keys}: the key lifecycle on a key file ({@code --file}) or on the key table of a database
 * ({@code --jdbc-url}, the {@link JdbcKeyStore}; URL and credentials as {@link JdbcTarget}
 * describes). {@code new} and {@code rotate} print the new plaintext key once, on standard output
 * (alone on its line, or in the JSON), and store only its hash; nothing else ever prints a key or a
 * hash. Each change is written atomically (one transaction on the table) and audited on the logger
 * {@code planeguard.audit} (standard error) and, with {@code --ledger} or {@code
 * PLANEGUARD_AUDIT_LEDGER}, as an entry of that {@link AuditLedger}. Exit 0 done, 1 refused (no
 * such key, a revoked key to rotate, an invalid or unwritable file, a database that cannot answer,
 * a password that breaks the secret rules, an audit ledger that cannot be opened) or done without
 * its ledger entry (a revocation while the ledger cannot be opened, a ledger write that failed), 2
 * usage error.
 */
final class Keys {

  static final String USAGE =
      """
      keys new --kind mk|sk --mode MODE --tenant T [--scopes a,b] [--not-after INSTANT]
                 [--rate-limit N/PERIOD] [--uses N [--uses-refill PERIOD]]
                 STORE [--ledger LEDGER] [--json]
        keys rotate ID [--grace 48h] STORE [--ledger LEDGER] [--json]
        keys revoke ID STORE [--ledger LEDGER] [--json]
        keys list STORE [--rotation-period 90d] [--json]
        keys import-legacy ID --kind mk|sk --mode MODE (--from-env VAR | --from-file FILE)
                 [--tenant T] [--scopes a,b] [--not-after INSTANT] STORE [--ledger LEDGER] [--json]
        where STORE is --file KEYS_FILE or --jdbc-url URL (the key table planeguard_keys);
        --ledger (default: PLANEGUARD_AUDIT_LEDGER) appends the key events to that audit ledger\
      """;

  private static final Pattern GRACE = Pattern.compile("(\\d{1,6})([smhd])");

  /** The audit ledger key events go to when {@code --ledger} is not given. */
  static final String LEDGER_VARIABLE = "PLANEGUARD_AUDIT_LEDGER";

  private Keys() {}

  static int run(List<String> argv, Map<String, String> env, Output o) {
    if (argv.isEmpty() || argv.get(0).startsWith("--")) {
      throw new UsageException("keys needs a subcommand: new, rotate, revoke, list, import-legacy");
    }
    String sub = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    try {
      return switch (sub) {
        case "new" -> create(rest, env, o);
        case "rotate" -> rotate(rest, env, o);
        case "revoke" -> revoke(rest, env, o);
        case "list" -> list(rest, env, o);
        case "import-legacy" -> importLegacy(rest, env, o);
        default -> throw new UsageException("unknown keys subcommand " + Problem.quote(sub, 64));
      };
    } catch (ConfigurationException e) {
      return refused(o, "invalid key file", e.getMessage(), e.problems());
    } catch (BadCredentials e) {
      return refused(o, "database credentials refused", e.getMessage(), e.problems);
    } catch (NoSuchElementException | IllegalStateException e) {
      return refused(o, "refused", e.getMessage(), List.of());
    } catch (KeyLedger.Unavailable e) {
      return refused(
          o, "audit ledger unavailable", e.getMessage() + "; nothing was changed", List.of());
    } catch (JdbcKeyStore.UnavailableException e) {
      // Its message names the table, the operation and the SQLState; never a value.
      return refused(o, "database unavailable", e.getMessage(), List.of());
    } catch (UncheckedIOException e) {
      Throwable cause = e.getCause();
      return refused(
          o,
          "cannot write",
          e.getMessage() + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"),
          List.of());
    }
  }

  private static int create(List<String> argv, Map<String, String> env, Output o) {
    Args args =
        Args.parse(
            argv,
            options(
                "kind",
                "mode",
                "tenant",
                "scopes",
                "not-after",
                "rate-limit",
                "uses",
                "uses-refill",
                "ledger"),
            JSON);
    noPositional(args, "keys new");
    ApiKey.Kind kind = kind(args);
    Mode mode = mode(args);
    String tenant = args.required("tenant");
    Set<String> scopes = scopes(args);
    Instant notAfter = notAfter(args);
    KeyLimits limits = limits(args);
    try (KeyLedger ledger = KeyLedger.open(args, env);
        Target target = Target.open(args, env, true)) {
      KeyLifecycle.Issued issued;
      try {
        issued = lifecycle(target, ledger).create(kind, mode, tenant, scopes, notAfter, limits);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      }
      String unrecorded = KeyLedger.finish(ledger);
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.put("key", issued.key().value());
        m.putAll(describe(issued.record(), null));
        target.describe(m);
        KeyLedger.describe(ledger, unrecorded, m);
        o.json(m);
      } else {
        o.out.println(issued.key().value());
        o.err.println(
            "created "
                + summary(issued.record())
                + " in "
                + target
                + "; the key above is shown this once and stored only as a hash");
      }
      return KeyLedger.exit(unrecorded, o);
    }
  }

  private static int rotate(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, options("grace", "ledger"), JSON);
    String id = oneId(args, "keys rotate");
    Duration grace = grace(args.optional("grace"));
    try (KeyLedger ledger = KeyLedger.open(args, env);
        Target target = Target.open(args, env, false)) {
      KeyLifecycle.Issued issued = lifecycle(target, ledger).rotate(id, grace);
      String unrecorded = KeyLedger.finish(ledger);
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
        target.describe(m);
        KeyLedger.describe(ledger, unrecorded, m);
        o.json(m);
      } else {
        o.out.println(issued.key().value());
        o.err.println(
            "rotated "
                + id
                + ": successor "
                + summary(issued.record())
                + "; "
                + id
                + " keeps working until "
                + until
                + ". The key above is shown this once and stored only as a hash");
      }
      return KeyLedger.exit(unrecorded, o);
    }
  }

  private static int revoke(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, options("ledger"), JSON);
    String id = oneId(args, "keys revoke");
    // Shutting a key off never waits for the audit: a ledger that cannot be opened is reported
    // after the revocation, not instead of it.
    KeyLedger opened = null;
    String unopened = null;
    try {
      opened = KeyLedger.open(args, env);
    } catch (KeyLedger.Unavailable e) {
      unopened = e.getMessage();
    }
    try (KeyLedger ledger = opened;
        Target target = Target.open(args, env, false)) {
      KeyRecord revoked = lifecycle(target, ledger).revoke(id);
      String unrecorded =
          unopened == null
              ? KeyLedger.finish(ledger)
              : "the key is revoked, but its ledger entry was not written: " + unopened;
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.putAll(describe(revoked, null));
        target.describe(m);
        KeyLedger.describe(ledger, unrecorded, m);
        o.json(m);
      } else {
        o.out.println("revoked " + revoked.id());
      }
      return KeyLedger.exit(unrecorded, o);
    }
  }

  private static int list(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, options("rotation-period"), JSON);
    noPositional(args, "keys list");
    Duration period = rotationPeriod(args.optional("rotation-period"));
    Instant now = Instant.now();
    try (Target target = Target.open(args, env, false)) {
      List<KeyRecord> records = target.store.records();
      Map<String, KeyUsage> usage = usage(target.store, o);
      Map<String, Long> left = usesLeft(target, records, o);
      if (o.json) {
        List<Map<String, Object>> keys = new ArrayList<>();
        for (KeyRecord r : records) {
          Map<String, Object> k = describe(r, now);
          KeyUsage u =
              usage == null ? KeyUsage.UNKNOWN : usage.getOrDefault(r.id(), KeyUsage.UNKNOWN);
          Instant created = created(r, usage == null ? null : u);
          k.put("created", iso(created));
          k.put("age", created == null ? null : age(created, now).toString());
          k.put("rotationDue", created == null ? null : rotationDue(r, created, now, period));
          k.put("firstUsed", iso(u.firstUsed()));
          k.put("lastUsed", iso(u.lastUsed()));
          k.put("usesLeft", left.get(r.id()));
          keys.add(k);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        target.describe(m);
        m.put("rotationPeriod", period.toString());
        m.put("keys", keys);
        o.json(m);
      } else {
        o.out.print(table(records, usage, left, now, period));
        o.out.println(records.size() + (records.size() == 1 ? " key" : " keys"));
        long unknown =
            records.stream()
                .filter(
                    r ->
                        created(
                                r,
                                usage == null ? null : usage.getOrDefault(r.id(), KeyUsage.UNKNOWN))
                            == null)
                .count();
        if (unknown > 0) {
          o.out.println(
              "age unknown for "
                  + unknown
                  + (unknown == 1 ? " key" : " keys")
                  + ": no creation time in the store (a key file written before planeguard"
                  + " recorded it); keys rotate gives the successor one");
        }
      }
    }
    return 0;
  }

  /** When the key was created: its record's time, else what the store's usage knows, or null. */
  private static @Nullable Instant created(KeyRecord r, @Nullable KeyUsage u) {
    Instant created = r.created();
    return created != null || u == null ? created : u.created();
  }

  private static boolean rotationDue(KeyRecord r, Instant created, Instant now, Duration period) {
    return r.withCreated(created).rotationDueAt(now, period);
  }

  /** {@code --rotation-period}: like {@code 90d} or {@code 720h}; 90 days if not given. */
  private static Duration rotationPeriod(@Nullable String value) {
    if (value == null) {
      return KeyLifecycle.DEFAULT_ROTATION_PERIOD;
    }
    Matcher m = GRACE.matcher(value.strip());
    if (!m.matches() || !(m.group(2).equals("d") || m.group(2).equals("h"))) {
      throw new UsageException("--rotation-period must look like 90d or 720h");
    }
    long n = Long.parseLong(m.group(1));
    Duration period = m.group(2).equals("d") ? Duration.ofDays(n) : Duration.ofHours(n);
    if (period.isZero()) {
      throw new UsageException("--rotation-period must be positive");
    }
    return period;
  }

  /**
   * The uses each key with a uses limit has left, by id: read from the shared rate-limit counts of
   * the key table's database, where a fleet keeps them. Empty for a key file (the counts are in the
   * memory of the service that uses it) and where the counts table is missing, said on standard
   * error.
   */
  private static Map<String, Long> usesLeft(Target target, List<KeyRecord> records, Output o) {
    DataSource ds = target.database;
    if (ds == null || records.stream().allMatch(r -> r.limits().uses() == null)) {
      return Map.of();
    }
    List<dev.planeguard.Problem> problems =
        Admission.tableProblems(ds, Admission.DEFAULT_TABLE, Admission.DEFAULT_TABLE);
    if (!problems.isEmpty()) {
      o.err.println("planeguard: uses left unknown: " + problems.get(0).message());
      return Map.of();
    }
    Admission counts = Admission.builder().jdbc(ds, null).localAllowance(0).build();
    Map<String, Long> left = new HashMap<>();
    for (KeyRecord r : records) {
      Long n = counts.usesLeft(r);
      if (n != null) {
        left.put(r.id(), n);
      }
    }
    return left;
  }

  /**
   * When each key was created and used, or {@code null} if the store cannot say; then a note on
   * standard error says why (the JDBC store's messages name the migration to apply).
   */
  private static @Nullable Map<String, KeyUsage> usage(KeyStore store, Output o) {
    if (!(store instanceof KeyStore.UsageRecording recording)) {
      return null;
    }
    try {
      return recording.usage();
    } catch (JdbcKeyStore.UnavailableException | UncheckedIOException e) {
      o.err.println("planeguard: first and last use unknown: " + e.getMessage());
      return null;
    }
  }

  private static @Nullable String iso(@Nullable Instant instant) {
    return instant == null ? null : instant.toString();
  }

  /** From {@code created} to {@code now}, in whole seconds; never negative. */
  private static Duration age(Instant created, Instant now) {
    Duration age = Duration.between(created, now).truncatedTo(ChronoUnit.SECONDS);
    return age.isNegative() ? Duration.ZERO : age;
  }

  /** An age as people read it: its largest whole unit, {@code 12d}, {@code 5h}, {@code 7m}. */
  static String ageText(Duration age) {
    if (age.toDays() > 0) {
      return age.toDays() + "d";
    }
    if (age.toHours() > 0) {
      return age.toHours() + "h";
    }
    if (age.toMinutes() > 0) {
      return age.toMinutes() + "m";
    }
    return "<1m";
  }

  private static int importLegacy(List<String> argv, Map<String, String> env, Output o) {
    Args args =
        Args.parse(
            argv,
            options(
                "kind", "mode", "tenant", "scopes", "not-after", "from-env", "from-file", "ledger"),
            JSON);
    String id = oneId(args, "keys import-legacy");
    ApiKey.Kind kind = kind(args);
    Mode mode = mode(args);
    Set<String> scopes = scopes(args);
    Instant notAfter = notAfter(args);
    String secret = secret(args, env);
    try (KeyLedger ledger = KeyLedger.open(args, env);
        Target target = Target.open(args, env, true)) {
      if (target.store.findById(id) != null) {
        throw new IllegalStateException(
            "a key with id " + Problem.quote(id, 64) + " exists in " + target);
      }
      if (target.store.findByHash(ApiKey.hash(secret)) != null) {
        throw new IllegalStateException("this legacy secret is already in " + target);
      }
      KeyRecord record;
      try {
        record =
            lifecycle(target, ledger)
                .importLegacy(id, secret, kind, mode, args.optional("tenant"), scopes, notAfter);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      }
      String unrecorded = KeyLedger.finish(ledger);
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.putAll(describe(record, null));
        target.describe(m);
        KeyLedger.describe(ledger, unrecorded, m);
        o.json(m);
      } else {
        o.out.println("imported legacy key " + record.id());
        o.err.println(
            "only its hash is stored; issue its structured successor with: keys rotate "
                + record.id()
                + " "
                + target.option);
      }
      return KeyLedger.exit(unrecorded, o);
    }
  }

  private static final Set<String> JSON = Set.of("json");

  /**
   * Whether {@link Problem#quote} redacts part of {@code value}: redaction puts a {@code <…>}
   * marker where the credential was, and escaping never adds a {@code <}.
   */
  static boolean holdsCredential(String value) {
    return count(Problem.quote(value, value.length() + 64)) > count(value);
  }

  private static long count(String s) {
    return s.chars().filter(c -> c == '<').count();
  }

  private static KeyLifecycle lifecycle(Target target, @Nullable KeyLedger ledger) {
    return KeyLifecycle.of(target.store).withLedger(ledger == null ? null : ledger.ledger);
  }

  /**
   * The audit ledger the key events are appended to: {@code --ledger}, else {@link
   * #LEDGER_VARIABLE}; none when neither is set. It is opened before the key store, so a ledger
   * that cannot be opened stops the command before anything changes (except {@code revoke}, which
   * goes ahead and reports it).
   */
  private static final class KeyLedger implements AutoCloseable {

    final AuditLedger ledger;
    final Path path;

    private KeyLedger(AuditLedger ledger, Path path) {
      this.ledger = ledger;
      this.path = path;
    }

    static @Nullable KeyLedger open(Args args, Map<String, String> env) {
      String value = args.optional("ledger");
      String source = "--ledger";
      if (value == null) {
        value = env.get(LEDGER_VARIABLE);
        source = LEDGER_VARIABLE;
        if (value == null || value.isBlank()) {
          return null;
        }
      }
      if (value.isEmpty()) {
        throw new UsageException("--ledger needs a value");
      }
      if (holdsCredential(value)) {
        // The ledger logs its path; a key typed into it would be logged too.
        throw new UsageException(
            source
                + " holds something shaped like a key or token; give the ledger's plain path (and"
                + " treat a real key typed there as exposed)");
      }
      Path path;
      try {
        path = Path.of(value);
      } catch (InvalidPathException e) {
        throw new UsageException(source + " " + Problem.quote(value, 256) + " is not a file path");
      }
      String name = Problem.quote(value, 256);
      Path dir = path.toAbsolutePath().getParent();
      if (Files.isDirectory(path)) {
        throw new Unavailable(
            "the audit ledger "
                + name
                + " ("
                + source
                + ") is a directory; name the ledger file in it");
      }
      if (dir == null || !Files.isDirectory(dir)) {
        throw new Unavailable(
            "the directory of the audit ledger "
                + name
                + " ("
                + source
                + ") does not exist; create it or correct "
                + source);
      }
      if (Files.exists(path) ? !Files.isWritable(path) : !Files.isWritable(dir)) {
        throw new Unavailable(
            "this user cannot write the audit ledger "
                + name
                + " ("
                + source
                + "); run keys as the ledger's owner");
      }
      try {
        return new KeyLedger(AuditLedger.file(path).open(), path);
      } catch (IOException | RuntimeException e) {
        throw new Unavailable(
            "cannot open the audit ledger "
                + name
                + " ("
                + source
                + ", "
                + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage())
                + ")");
      }
    }

    /**
     * Closes the ledger, which writes the queued events; answers what went wrong, or {@code null}
     * when every event was written.
     */
    static @Nullable String finish(@Nullable KeyLedger ledger) {
      if (ledger == null) {
        return null;
      }
      ledger.ledger.close();
      if (ledger.ledger.dropped() > 0 || ledger.ledger.failing()) {
        return "the key change is done, but its audit ledger entry could not be written to "
            + Problem.quote(ledger.path.toString(), 256)
            + " (see the log above); record the change there by hand or in your incident notes";
      }
      return null;
    }

    /** Adds the ledger to a JSON answer, and what could not be written to it. */
    static void describe(
        @Nullable KeyLedger ledger, @Nullable String unrecorded, Map<String, Object> json) {
      if (ledger != null) {
        json.put("ledger", ledger.path.toString());
      }
      if (unrecorded != null) {
        json.put("ledgerProblem", unrecorded);
      }
    }

    /** The exit code of a change that was made: 1 if its ledger entry is missing. */
    static int exit(@Nullable String unrecorded, Output o) {
      if (unrecorded == null) {
        return 0;
      }
      if (!o.json) {
        o.err.println("planeguard: " + unrecorded);
      }
      return 1;
    }

    @Override
    public void close() {
      ledger.close();
    }

    /** The ledger cannot be opened; nothing was changed. */
    static final class Unavailable extends RuntimeException {
      private static final long serialVersionUID = 1L;

      Unavailable(String message) {
        super(message, null, false, false);
      }
    }
  }

  /** The valued options of a subcommand: {@code names}, and the two that name the store. */
  private static Set<String> options(String... names) {
    Set<String> options = new LinkedHashSet<>(List.of(names));
    options.add("file");
    options.add("jdbc-url");
    return options;
  }

  /**
   * Where the keys are: a key file ({@code --file}) or the key table of a database ({@code
   * --jdbc-url}). Its {@code toString()} names the file or the table, never the URL (which may hold
   * a password).
   */
  private static final class Target implements AutoCloseable {

    private static final String ONE_STORE =
        "give exactly one of --file KEYS_FILE or --jdbc-url URL";

    final KeyStore.Writable store;

    /** The key table's database, for the uses left in its shared counts; null for a key file. */
    final @Nullable DataSource database;

    /** How to name this store again on a command line. */
    final String option;

    private final Runnable closeStore;
    private final String member;
    private final String name;

    /** A key file this command created, to remove again if nothing was written to it. */
    private final @Nullable Path created;

    private Target(
        KeyStore.Writable store,
        Runnable closeStore,
        String member,
        String name,
        String option,
        @Nullable Path created,
        @Nullable DataSource database) {
      this.store = store;
      this.database = database;
      this.closeStore = closeStore;
      this.member = member;
      this.name = name;
      this.option = option;
      this.created = created;
    }

    /**
     * Opens the store the arguments name.
     *
     * @param create whether a missing key file is created (for the commands that add a key)
     */
    static Target open(Args args, Map<String, String> env, boolean create) {
      String file = args.optional("file");
      String url = args.optional("jdbc-url");
      if (url != null) {
        if (file != null) {
          throw new UsageException(ONE_STORE);
        }
        JdbcTarget database = JdbcTarget.of(url, env);
        if (!database.violations().isEmpty()) {
          throw new BadCredentials(database.violations());
        }
        JdbcKeyStore table = JdbcKeyStore.builder(database.dataSource()).build();
        return new Target(
            table,
            table::close,
            "table",
            table.table(),
            "--jdbc-url URL",
            null,
            database.dataSource());
      }
      if (file == null) {
        throw new UsageException(ONE_STORE);
      }
      if (file.isEmpty()) {
        throw new UsageException("--file needs a value");
      }
      Path path = Path.of(file);
      boolean creating = create && !Files.exists(path);
      KeyFile keys = create ? KeyFile.openOrCreate(path) : KeyFile.open(path);
      return new Target(
          keys,
          keys::close,
          "file",
          path.toString(),
          "--file " + path,
          creating ? path : null,
          null);
    }

    /** Adds the member naming this store ({@code file} or {@code table}) to a JSON answer. */
    void describe(Map<String, Object> json) {
      json.put(member, name);
    }

    /** Closes the store; removes a key file this command created if it is still empty. */
    @Override
    public void close() {
      closeStore.run();
      Path path = created;
      if (path != null) {
        try {
          if (Files.size(path) == 0) {
            Files.deleteIfExists(path);
          }
        } catch (IOException e) {
          // Left behind: an empty key file holds no key.
        }
      }
    }

    @Override
    public String toString() {
      return member.equals("table") ? "table " + name : name;
    }
  }

  /** The database password breaks the rules for secrets; nothing was done. */
  private static final class BadCredentials extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial") // never serialized
    final List<Problem> problems;

    BadCredentials(List<Problem> problems) {
      super("the database password breaks the rules for secrets", null, false, false);
      this.problems = List.copyOf(problems);
    }
  }

  private static int refused(
      Output o, String error, @Nullable String message, List<Problem> problems) {
    if (o.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", false);
      m.put("error", error);
      m.put("message", message);
      if (!problems.isEmpty()) {
        m.put("problems", Output.problems(problems));
      }
      o.json(m);
    } else if (!problems.isEmpty()) {
      o.problemLines(
          "planeguard: " + error + " (" + problems.size() + " problems):", problems, o.err);
    } else {
      o.err.println("planeguard: " + message);
    }
    return 1;
  }

  /** {@code --rate-limit}, {@code --uses} and {@code --uses-refill}, checked. */
  private static KeyLimits limits(Args args) {
    String rate = args.optional("rate-limit");
    String uses = args.optional("uses");
    String refill = args.optional("uses-refill");
    RateLimit rateLimit = null;
    if (rate != null) {
      rateLimit = RateLimit.tryParse(rate);
      if (rateLimit == null) {
        throw new UsageException(
            "--rate-limit must be requests/period such as 100/1m, 10/s or 5000/1d (1 to "
                + RateLimit.MAX_REQUESTS
                + " requests, 1s to 30d)");
      }
    }
    Long count = null;
    if (uses != null) {
      if (!uses.matches("\\d{1,10}")
          || Long.parseLong(uses) < 1
          || Long.parseLong(uses) > KeyLimits.MAX_USES) {
        throw new UsageException(
            "--uses must be a whole number from 1 to " + KeyLimits.MAX_USES + ", such as 1000");
      }
      count = Long.parseLong(uses);
    }
    Duration every = null;
    if (refill != null) {
      if (count == null) {
        throw new UsageException("--uses-refill needs --uses: say how many uses are refilled");
      }
      try {
        every = KeyLimits.parseRefill(refill);
      } catch (IllegalArgumentException e) {
        throw new UsageException("--uses-refill: " + e.getMessage());
      }
    }
    return new KeyLimits(rateLimit, count, every);
  }

  /** A key's own limits as {@code keys list} shows them: {@code 100/1m, 1000 uses/30d}, or -. */
  static String limitsText(KeyLimits limits) {
    List<String> parts = new ArrayList<>();
    RateLimit rate = limits.rateLimit();
    if (rate != null) {
      parts.add(rate.toString());
    }
    Long uses = limits.uses();
    if (uses != null) {
      Duration refill = limits.usesRefill();
      parts.add(uses + " uses" + (refill == null ? "" : "/" + KeyLimits.formatRefill(refill)));
    }
    return parts.isEmpty() ? "-" : String.join(", ", parts);
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
    KeyLimits limits = r.limits();
    RateLimit rate = limits.rateLimit();
    m.put("rateLimit", rate == null ? null : rate.toString());
    m.put("uses", limits.uses());
    Duration refill = limits.usesRefill();
    m.put("usesRefill", refill == null ? null : KeyLimits.formatRefill(refill));
    m.put("created", r.created() == null ? null : String.valueOf(r.created()));
    if (now != null) {
      m.put("usable", r.usableAt(now));
    }
    return m;
  }

  private static String summary(KeyRecord r) {
    return r.id()
        + " ("
        + r.kind().code()
        + ", "
        + r.mode().id()
        + (r.tenant() == null ? "" : ", tenant " + r.tenant())
        + (r.scopes().isEmpty() ? "" : ", scopes " + String.join(",", r.scopes()))
        + (r.limits().none() ? "" : ", limits " + limitsText(r.limits()))
        + ")";
  }

  /**
   * The text table of {@code keys list}. {@code usage} {@code null} means the store cannot say when
   * keys were used ({@code unknown}); a key it has no use of was never used since recording began.
   */
  static String table(
      List<KeyRecord> records,
      @Nullable Map<String, KeyUsage> usage,
      Map<String, Long> usesLeft,
      Instant now,
      Duration rotationPeriod) {
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "ID",
          "FORMAT",
          "KIND",
          "MODE",
          "TENANT",
          "SCOPES",
          "STATUS",
          "NOT_AFTER",
          "LIMITS",
          "AGE",
          "ROTATION",
          "FIRST_USED",
          "LAST_USED"
        });
    for (KeyRecord r : records) {
      String status =
          r.status() == KeyRecord.Status.REVOKED
              ? "revoked"
              : r.usableAt(now) ? "active" : "expired";
      KeyUsage u = usage == null ? null : usage.getOrDefault(r.id(), KeyUsage.UNKNOWN);
      Instant created = created(r, u);
      String rotation;
      if (created == null) {
        rotation = "unknown";
      } else {
        rotation = rotationDue(r, created, now, rotationPeriod) ? "due" : "-";
      }
      rows.add(
          new String[] {
            r.id(),
            r.legacy() ? "legacy" : "key",
            r.kind().code(),
            r.mode().id(),
            r.tenant() == null ? "-" : r.tenant(),
            r.scopes().isEmpty() ? "-" : String.join(",", r.scopes()),
            status,
            r.notAfter() == null ? "-" : String.valueOf(r.notAfter()),
            limitsText(r.limits())
                + (usesLeft.containsKey(r.id()) ? " (" + usesLeft.get(r.id()) + " left)" : ""),
            created == null ? "unknown" : ageText(age(created, now)),
            rotation,
            use(u == null ? null : u.firstUsed(), u != null),
            use(u == null ? null : u.lastUsed(), u != null)
          });
    }
    return Output.table(rows);
  }

  private static String use(@Nullable Instant at, boolean known) {
    if (at != null) {
      return at.toString();
    }
    return known ? "never" : "unknown";
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
      throw new UsageException(
          "--not-after must be an ISO-8601 instant such as 2027-01-01T00:00:00Z");
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
        throw new UsageException(
            "the environment variable " + Problem.quote(variable, 64) + " is not set");
      }
    } else {
      String name = String.valueOf(fileName);
      try {
        secret = Files.readString(Path.of(name), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UsageException("cannot read --from-file " + Problem.quote(name, 256));
      }
    }
    int end = secret.length();
    while (end > 0 && (secret.charAt(end - 1) == '\n' || secret.charAt(end - 1) == '\r')) {
      end--;
    }
    return secret.substring(0, end);
  }
}
