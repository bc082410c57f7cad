package dev.planeguard.cli;

import dev.planeguard.AuditLedger;
import dev.planeguard.LedgerEntry;
import dev.planeguard.LedgerVerification;
import dev.planeguard.LedgerVerification.Broken;
import dev.planeguard.LedgerVerification.Intact;
import dev.planeguard.Problem;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * {@code audit}: reads an {@link AuditLedger}. {@code verify} checks its hash chain (exit 0 intact,
 * 1 broken), {@code sweep} lists what one key did in a time window (allowed and refused decisions
 * and its key events: the breach sweep), {@code usage} counts decisions per key or tenant. The
 * ledger is the active file; the files it was rotated into beside it are read too. {@code sweep}
 * and {@code usage} verify the chain first and warn when it is broken, then run anyway. A missing
 * or unreadable ledger exits 1, a usage error 2.
 */
final class Audit {

  static final String USAGE =
      """
      audit verify LEDGER [--json]
        audit sweep LEDGER --key-id ID [--since INSTANT] [--until INSTANT] [--json]
        audit usage LEDGER --by key|tenant [--since INSTANT] [--until INSTANT] [--json]
        where LEDGER is the active audit ledger file (its rotated files are read too), or
        --jdbc-url URL --node NODE [--table TABLE] for one node's chain in the ledger table\
      """;

  private static final Pattern KEY_ID = Pattern.compile("[a-z0-9_-]{1,64}");
  private static final Pattern ROTATED = Pattern.compile("\\d{12}");
  private static final Set<String> JSON = Set.of("json");

  /** Most distinct paths or tenants a text summary names; JSON lists them all. */
  private static final int LISTED = 20;

  private Audit() {}

  static int run(List<String> argv, Map<String, String> env, Output o) {
    if (argv.isEmpty() || argv.get(0).startsWith("--")) {
      throw new UsageException("audit needs a subcommand: verify, sweep, usage");
    }
    String sub = argv.get(0);
    List<String> rest = argv.subList(1, argv.size());
    try {
      return switch (sub) {
        case "verify" -> verify(rest, env, o);
        case "sweep" -> sweep(rest, env, o);
        case "usage" -> usage(rest, env, o);
        default -> throw new UsageException("unknown audit subcommand " + Problem.quote(sub, 64));
      };
    } catch (Unreadable e) {
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", false);
        m.put("error", "cannot read the ledger");
        m.put("message", e.getMessage());
        m.put("fix", e.fix);
        o.json(m);
      } else {
        o.err.println("planeguard: " + e.getMessage());
        o.err.println("  fix: " + e.fix);
      }
      return 1;
    }
  }

  private static int verify(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, SOURCE, JSON);
    Source ledger = source(args, env, "audit verify");
    LedgerVerification v = ledger.verify();
    if (v instanceof Intact i) {
      if (o.json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", true);
        m.putAll(chain(i));
        o.json(m);
        return 0;
      }
      if (i.entries() == 0) {
        o.out.println("ok: the ledger has no entries yet; nothing to verify");
      } else {
        o.out.println(
            "ok: the chain is intact: "
                + i.entries()
                + (i.entries() == 1 ? " entry" : " entries")
                + " checked, sequence numbers 0 to "
                + i.lastSeq());
        o.out.println("head hash: " + i.headHash() + " (entry " + i.lastSeq() + ")");
        o.out.println(
            "record the head hash where the service cannot write (a ticket, another host): a"
                + " later rewrite of the newest entries then shows as a different head hash");
      }
      if (i.cutShortBytes() > 0) {
        o.out.println(
            "note: "
                + i.cutShortBytes()
                + " bytes after the last entry are an entry cut short by a crash: not an entry"
                + " and not a break (the writer removes them when it starts again)");
      }
      return 0;
    }
    Broken b = (Broken) v;
    if (o.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", false);
      m.putAll(chain(b));
      o.json(m);
    } else {
      o.out.println(
          "broken: the chain breaks at "
              + clean(b.location())
              + " (entry "
              + b.seq()
              + "): "
              + kind(b.kind()));
      o.out.println("  " + clean(b.explanation()));
      o.out.println(
          "  "
              + b.intactEntries()
              + (b.intactEntries() == 1 ? " entry" : " entries")
              + " verified before it; from there on the ledger cannot be trusted");
      o.out.println(
          "  fix: keep every ledger file as it is (it is evidence) and compare it with your"
              + " backups and the head hashes you recorded");
    }
    return 1;
  }

  private static int sweep(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, with(SOURCE, "key-id", "since", "until"), JSON);
    Source ledger = source(args, env, "audit sweep");
    String id = args.required("key-id");
    if (!KEY_ID.matcher(id).matches()) {
      throw new UsageException(
          "--key-id takes a key id: 1 to 64 characters of a-z 0-9 _ -, such as the ID column"
              + " of keys list (never the key itself)");
    }
    Window window = window(args);
    LedgerVerification chain = ledger.verify();
    List<LedgerEntry> found = new ArrayList<>();
    ledger.scan(
        e -> {
          if ((id.equals(e.text("key_id"))
                  || id.equals(e.text("successor_id"))
                  || id.equals(e.text("rotated_from")))
              && window.containsOrUndated(e.time())) {
            found.add(e);
          }
        });
    long allowed = 0;
    long refused = 0;
    long keyEvents = 0;
    long undated = 0;
    Instant first = null;
    Instant last = null;
    TreeSet<String> paths = new TreeSet<>();
    TreeSet<String> tenants = new TreeSet<>();
    for (LedgerEntry e : found) {
      if (e.type().equals("decision")) {
        if (e.allowed()) {
          allowed++;
        } else {
          refused++;
        }
        addIfPresent(paths, e.text("path"));
      } else {
        keyEvents++;
      }
      addIfPresent(tenants, e.text("tenant"));
      Instant t = e.time();
      if (t == null) {
        undated++;
      } else {
        first = first == null || t.isBefore(first) ? t : first;
        last = last == null || t.isAfter(last) ? t : last;
      }
    }
    if (o.json) {
      List<Map<String, Object>> entries = new ArrayList<>();
      for (LedgerEntry e : found) {
        entries.add(describe(e));
      }
      Map<String, Object> summary = new LinkedHashMap<>();
      summary.put("entries", found.size());
      summary.put("allowed", allowed);
      summary.put("refused", refused);
      summary.put("keyEvents", keyEvents);
      summary.put("undated", undated);
      summary.put("first", first == null ? null : first.toString());
      summary.put("last", last == null ? null : last.toString());
      summary.put("paths", List.copyOf(paths));
      summary.put("tenants", List.copyOf(tenants));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", true);
      m.put("keyId", id);
      window.describe(m);
      m.put("chain", chain(chain));
      m.put("entries", entries);
      m.put("summary", summary);
      o.json(m);
      return 0;
    }
    warnIfBroken(chain, ledger, o);
    if (found.isEmpty()) {
      o.out.println("no entries of key " + id + " " + window);
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {
          "TIME", "EVENT", "REASON", "METHOD", "PATH", "TENANT", "REQUEST_ID", "LOCATION"
        });
    for (LedgerEntry e : found) {
      boolean decision = e.type().equals("decision");
      rows.add(
          new String[] {
            e.time() == null ? "-" : String.valueOf(e.time()),
            decision ? (e.allowed() ? "allow" : "deny") : cell(e.type()),
            decision ? cell(e.text("reason")) : keyEvent(e),
            cell(e.text("method")),
            cell(e.text("path")),
            cell(e.text("tenant")),
            cell(e.text("request_id")),
            clean(e.location())
          });
    }
    o.out.print(Output.table(rows));
    o.out.println(
        "key "
            + id
            + " "
            + window
            + ": "
            + allowed
            + " allowed, "
            + refused
            + " refused, "
            + keyEvents
            + (keyEvents == 1 ? " key event" : " key events"));
    if (first != null) {
      o.out.println("first " + first + ", last " + last);
    }
    o.out.println(listed("path", paths));
    o.out.println(listed("tenant", tenants));
    if (undated > 0) {
      o.out.println(
          "note: "
              + undated
              + (undated == 1 ? " entry has" : " entries have")
              + " no valid time; listed whatever the window");
    }
    return 0;
  }

  private static int usage(List<String> argv, Map<String, String> env, Output o) {
    Args args = Args.parse(argv, with(SOURCE, "by", "since", "until"), JSON);
    Source ledger = source(args, env, "audit usage");
    String by = args.required("by");
    if (!by.equals("key") && !by.equals("tenant")) {
      throw new UsageException("--by must be key or tenant");
    }
    String member = by.equals("key") ? "key_id" : "tenant";
    Window window = window(args);
    LedgerVerification chain = ledger.verify();
    Map<String, Usage> counts = new HashMap<>();
    ledger.scan(
        e -> {
          String name = e.text(member);
          if (name != null && e.type().equals("decision") && window.contains(e.time())) {
            counts.computeIfAbsent(name, Usage::new).add(e);
          }
        });
    List<Usage> rows = new ArrayList<>(counts.values());
    rows.sort(
        Comparator.comparingLong((Usage u) -> u.allowed)
            .reversed()
            .thenComparing(Comparator.comparingLong((Usage u) -> u.refused).reversed())
            .thenComparing(u -> u.name));
    long allowed = rows.stream().mapToLong(u -> u.allowed).sum();
    long refused = rows.stream().mapToLong(u -> u.refused).sum();
    String jsonName = by.equals("key") ? "keyId" : "tenant";
    if (o.json) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Usage u : rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(jsonName, u.name);
        m.put("allowed", u.allowed);
        m.put("refused", u.refused);
        m.put("first", u.first == null ? null : u.first.toString());
        m.put("last", u.last == null ? null : u.last.toString());
        m.put("inputTokens", u.inputTokens);
        m.put("outputTokens", u.outputTokens);
        m.put("costCents", u.costCents);
        list.add(m);
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("ok", true);
      m.put("by", by);
      window.describe(m);
      m.put("chain", chain(chain));
      m.put("allowed", allowed);
      m.put("refused", refused);
      m.put("rows", list);
      o.json(m);
      return 0;
    }
    warnIfBroken(chain, ledger, o);
    String noun = by.equals("key") ? "key" : "tenant";
    if (rows.isEmpty()) {
      o.out.println(
          "no decisions with a " + (by.equals("key") ? "key id" : "tenant") + " " + window);
      return 0;
    }
    // Token and cost columns only when the application recorded them (AuditAttributes).
    boolean metered = rows.stream().anyMatch(u -> u.metered);
    List<String[]> table = new ArrayList<>();
    List<String> head =
        new ArrayList<>(
            List.of(by.equals("key") ? "KEY_ID" : "TENANT", "ALLOWED", "REFUSED", "FIRST", "LAST"));
    if (metered) {
      head.addAll(List.of("INPUT_TOKENS", "OUTPUT_TOKENS", "COST_CENTS"));
    }
    table.add(head.toArray(String[]::new));
    for (Usage u : rows) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  cell(u.name),
                  String.valueOf(u.allowed),
                  String.valueOf(u.refused),
                  u.first == null ? "-" : u.first.toString(),
                  u.last == null ? "-" : u.last.toString()));
      if (metered) {
        row.addAll(
            List.of(
                String.valueOf(u.inputTokens),
                String.valueOf(u.outputTokens),
                String.valueOf(u.costCents)));
      }
      table.add(row.toArray(String[]::new));
    }
    o.out.print(Output.table(table));
    o.out.println(
        rows.size()
            + " "
            + noun
            + (rows.size() == 1 ? "" : "s")
            + " "
            + window
            + ": "
            + allowed
            + " allowed, "
            + refused
            + " refused");
    return 0;
  }

  /** Decisions of one key or tenant. */
  private static final class Usage {
    final String name;
    long allowed;
    long refused;
    @Nullable Instant first;
    @Nullable Instant last;
    // Sums of what the application recorded for allowed requests (AuditAttributes).
    long inputTokens;
    long outputTokens;
    long costCents;
    boolean metered;

    Usage(String name) {
      this.name = name;
    }

    void add(LedgerEntry e) {
      if (e.allowed()) {
        allowed++;
        Map<String, Object> a = e.attributes();
        if (a.get("input_tokens") instanceof Long n) {
          inputTokens += n;
          metered = true;
        }
        if (a.get("output_tokens") instanceof Long n) {
          outputTokens += n;
          metered = true;
        }
        if (a.get("cost_cents") instanceof Long n) {
          costCents += n;
          metered = true;
        }
      } else {
        refused++;
      }
      Instant t = e.time();
      if (t != null) {
        Instant f = first;
        Instant l = last;
        first = f == null || t.isBefore(f) ? t : f;
        last = l == null || t.isAfter(l) ? t : l;
      }
    }
  }

  /** The time window of {@code --since} and {@code --until}, both inclusive and optional. */
  private record Window(@Nullable Instant since, @Nullable Instant until) {

    boolean contains(@Nullable Instant t) {
      if (since == null && until == null) {
        return true;
      }
      return t != null
          && (since == null || !t.isBefore(since))
          && (until == null || !t.isAfter(until));
    }

    /**
     * An entry without a valid time may lie in any window: a sweep lists it rather than miss it.
     */
    boolean containsOrUndated(@Nullable Instant t) {
      return t == null || contains(t);
    }

    void describe(Map<String, Object> json) {
      json.put("since", since == null ? null : since.toString());
      json.put("until", until == null ? null : until.toString());
    }

    @Override
    public String toString() {
      if (since == null && until == null) {
        return "in the whole ledger";
      }
      if (until == null) {
        return "since " + since;
      }
      if (since == null) {
        return "until " + until;
      }
      return "from " + since + " to " + until;
    }
  }

  private static Window window(Args args) {
    Instant since = instant(args, "since");
    Instant until = instant(args, "until");
    if (since != null && until != null && since.isAfter(until)) {
      throw new UsageException("--since is after --until; swap them");
    }
    return new Window(since, until);
  }

  private static @Nullable Instant instant(Args args, String option) {
    String value = args.optional(option);
    if (value == null) {
      return null;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new UsageException(
          "--"
              + option
              + " must be an ISO-8601 instant in UTC, such as 2026-12-06T10:00:00Z (date, T, time,"
              + " Z)");
    }
  }

  /** The options that name a ledger table instead of a file. */
  private static final Set<String> SOURCE = Set.of("jdbc-url", "node", "table");

  private static Set<String> with(Set<String> base, String... more) {
    Set<String> all = new java.util.HashSet<>(base);
    all.addAll(List.of(more));
    return all;
  }

  /** Where a command reads the ledger: its files, or one node's chain in the ledger table. */
  private interface Source {
    LedgerVerification verify();

    void scan(Consumer<LedgerEntry> consumer);

    /** The arguments of {@code audit verify} for it, as a user would type them. */
    String verifyArguments();
  }

  /** The ledger of the command line: a file (LEDGER) or a table (--jdbc-url with --node). */
  private static Source source(Args args, Map<String, String> env, String command) {
    String url = args.optional("jdbc-url");
    if (url == null) {
      if (args.optional("node") != null || args.optional("table") != null) {
        throw new UsageException("--node and --table go with --jdbc-url (a ledger table)");
      }
      return new FileSource(ledger(args, command));
    }
    if (!args.positional().isEmpty()) {
      throw new UsageException(
          command + " reads either a LEDGER file or --jdbc-url with --node, not both");
    }
    String node = args.required("node");
    String table = args.optional("table");
    if (table == null) {
      table = AuditLedger.DEFAULT_TABLE;
    }
    JdbcTarget target = JdbcTarget.of(url, env);
    if (!target.violations().isEmpty()) {
      Problem p = target.violations().get(0);
      throw new Unreadable(p.subject() + ": " + p.message(), p.fix());
    }
    return new TableSource(target.dataSource(), table, node);
  }

  private record FileSource(Path path) implements Source {
    @Override
    public LedgerVerification verify() {
      try {
        return AuditLedger.verify(path);
      } catch (IOException e) {
        throw unreadable(e);
      }
    }

    @Override
    public void scan(Consumer<LedgerEntry> consumer) {
      try {
        AuditLedger.scan(path, consumer);
      } catch (IOException e) {
        throw unreadable(e);
      }
    }

    /** How messages name it. */
    private String describe() {
      return Problem.quote(path.toString(), 256);
    }

    @Override
    public String verifyArguments() {
      return Problem.quote(path.toString(), 256);
    }

    private Unreadable unreadable(IOException e) {
      return new Unreadable(
          "cannot read the audit ledger " + describe() + " (" + e.getClass().getSimpleName() + ")",
          "check that this user may read the ledger file and its rotated files beside it");
    }
  }

  private record TableSource(javax.sql.DataSource dataSource, String table, String node)
      implements Source {

    // A table or node that is not a name is refused before any connection: a usage error.
    @Override
    public LedgerVerification verify() {
      try {
        return AuditLedger.verify(dataSource, table, node);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      } catch (IOException e) {
        throw unreadable(e);
      }
    }

    @Override
    public void scan(Consumer<LedgerEntry> consumer) {
      try {
        AuditLedger.scan(dataSource, table, node, consumer);
      } catch (IllegalArgumentException e) {
        throw new UsageException(String.valueOf(e.getMessage()));
      } catch (IOException e) {
        throw unreadable(e);
      }
    }

    /** How messages name it: never the URL, which may hold a password. */
    private String describe() {
      return "table " + table + " (node " + node + ")";
    }

    @Override
    public String verifyArguments() {
      return "--jdbc-url URL --node " + node + " --table " + table;
    }

    private Unreadable unreadable(IOException e) {
      return new Unreadable(
          "cannot read the audit ledger "
              + describe()
              + " ("
              + Problem.quote(String.valueOf(e.getMessage()), 200)
              + ")",
          "check the URL, that the database is up, that the table exists (schema "
              + AuditLedger.SCHEMA_RESOURCE
              + ") and that this user may read it ("
              + JdbcTarget.USER_VARIABLE
              + ", "
              + JdbcTarget.PASSWORD_VARIABLE
              + ")");
    }
  }

  /** The ledger named on the command line; it must exist, as a file or as rotated files. */
  private static Path ledger(Args args, String command) {
    if (args.positional().size() != 1 || args.positional().get(0).isEmpty()) {
      throw new UsageException(
          command + " needs exactly one LEDGER (the active audit ledger file)");
    }
    String name = args.positional().get(0);
    Path path;
    try {
      path = Path.of(name);
    } catch (InvalidPathException e) {
      throw new UsageException("LEDGER " + Problem.quote(name, 256) + " is not a file path");
    }
    if (Files.isDirectory(path)) {
      throw new Unreadable(
          "the ledger " + Problem.quote(name, 256) + " is a directory",
          "give the active ledger file in it (the file PLANEGUARD_AUDIT_LEDGER or"
              + " planeguard.audit.ledger names, such as "
              + Problem.quote(path.resolve("ledger.jsonl").toString(), 256)
              + ")");
    }
    if (!Files.exists(path) && !hasRotatedFiles(path)) {
      throw new Unreadable(
          "there is no audit ledger at " + Problem.quote(name, 256),
          "give the active ledger file the service writes (PLANEGUARD_AUDIT_LEDGER or"
              + " planeguard.audit.ledger); rotated files beside it, named after it with a"
              + " 12-digit suffix, are read with it");
    }
    return path;
  }

  private static boolean hasRotatedFiles(Path ledger) {
    Path file = ledger.toAbsolutePath().normalize();
    Path dir = file.getParent();
    Path fileName = file.getFileName();
    if (dir == null || fileName == null || !Files.isDirectory(dir)) {
      return false;
    }
    String prefix = fileName + ".";
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path p : files) {
        Path n = p.getFileName();
        String s = n == null ? "" : n.toString();
        if (s.startsWith(prefix) && ROTATED.matcher(s.substring(prefix.length())).matches()) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  /** The chain's state as JSON members. */
  private static Map<String, Object> chain(LedgerVerification v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("intact", v.intact());
    if (v instanceof Intact i) {
      m.put("entries", i.entries());
      m.put("lastSeq", i.lastSeq());
      m.put("headHash", i.headHash());
      m.put("cutShortBytes", i.cutShortBytes());
    } else if (v instanceof Broken b) {
      m.put("kind", b.kind().name().toLowerCase(Locale.ROOT));
      m.put("location", b.location());
      m.put("seq", b.seq());
      m.put("explanation", b.explanation());
      m.put("intactEntries", b.intactEntries());
    }
    return m;
  }

  private static void warnIfBroken(LedgerVerification v, Source ledger, Output o) {
    if (v instanceof Broken b) {
      o.err.println(
          "planeguard: warning: the ledger's chain breaks at "
              + clean(b.location())
              + " (entry "
              + b.seq()
              + ", "
              + kind(b.kind())
              + "): "
              + clean(b.explanation())
              + "; entries from there on may have been changed. Details: audit verify "
              + ledger.verifyArguments());
    }
  }

  private static String kind(LedgerVerification.Kind kind) {
    return switch (kind) {
      case EDITED -> "edited";
      case REMOVED -> "removed";
      case REORDERED -> "reordered";
      case INSERTED -> "inserted";
      case TRUNCATED_START -> "truncated chain start";
    };
  }

  /** A key event in a few words: the key, and its predecessor or successor. */
  private static String keyEvent(LedgerEntry e) {
    String key = cell(e.text("key_id"));
    String successor = e.text("successor_id");
    String from = e.text("rotated_from");
    String notAfter = e.text("not_after");
    if (successor != null) {
      return key
          + " to successor "
          + cell(successor)
          + (notAfter == null ? "" : ", old key until " + cell(notAfter));
    }
    if (from != null) {
      return key + " (successor of " + cell(from) + ")";
    }
    return key;
  }

  /** An entry for JSON output: its members that are present, under camel-case names. */
  private static Map<String, Object> describe(LedgerEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("location", e.location());
    m.put("seq", e.seq());
    m.put("time", e.time() == null ? null : String.valueOf(e.time()));
    m.put("type", e.type());
    for (String[] member :
        new String[][] {
          {"decision", "decision"},
          {"reason", "reason"},
          {"detail", "detail"},
          {"mode", "mode"},
          {"plane", "plane"},
          {"method", "method"},
          {"route", "route"},
          {"path", "path"},
          {"principal", "principal"},
          {"tenant", "tenant"},
          {"key_id", "keyId"},
          {"request_id", "requestId"},
          {"node", "node"},
          {"kind", "kind"},
          {"rotated_from", "rotatedFrom"},
          {"successor_id", "successorId"},
          {"not_after", "notAfter"}
        }) {
      String value = e.text(member[0]);
      if (value != null) {
        m.put(member[1], value);
      }
    }
    List<String> carriers = e.texts("carriers");
    if (!carriers.isEmpty()) {
      m.put("carriers", carriers);
    }
    List<String> scopes = e.texts("scopes");
    if (!scopes.isEmpty()) {
      m.put("scopes", scopes);
    }
    return m;
  }

  private static void addIfPresent(Set<String> set, @Nullable String value) {
    if (value != null) {
      set.add(value);
    }
  }

  private static String listed(String noun, Set<String> values) {
    StringBuilder sb = new StringBuilder();
    sb.append(values.size())
        .append(" distinct ")
        .append(noun)
        .append(values.size() == 1 ? "" : "s");
    int n = 0;
    for (String v : values) {
      sb.append(n == 0 ? ": " : ", ");
      if (n == LISTED) {
        sb.append("and ").append(values.size() - LISTED).append(" more");
        break;
      }
      sb.append(cell(v));
      n++;
    }
    return sb.toString();
  }

  /**
   * A value from the ledger for a text column: printable ASCII, anything shaped like a credential
   * redacted, {@code -} when absent. A ledger holds such values only, but its file may have been
   * changed by hand; the terminal must not take control characters from it.
   */
  private static String cell(@Nullable String value) {
    return value == null || value.isEmpty() ? "-" : clean(value);
  }

  private static String clean(String value) {
    String quoted = Problem.quote(value, 512);
    return quoted.substring(1, quoted.length() - 1);
  }

  /** The ledger cannot be found or read. Exit 1. */
  private static final class Unreadable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final String fix;

    Unreadable(String message, String fix) {
      super(message, null, false, false);
      this.fix = fix;
    }
  }
}
