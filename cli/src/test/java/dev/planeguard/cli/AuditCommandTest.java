package dev.planeguard.cli;

import static dev.planeguard.cli.LedgerScenario.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.AuditLedger;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code planeguard audit verify|sweep|usage} on real ledgers, written by a real {@link
 * dev.planeguard.Enforcer} and {@link dev.planeguard.keys.KeyLifecycle} (see {@link
 * LedgerScenario}), intact and tampered with.
 */
class AuditCommandTest {

  @TempDir Path dir;

  Path ledger() {
    return dir.resolve("ledger.jsonl");
  }

  static CliRun audit(String... args) {
    String[] argv = new String[args.length + 1];
    argv[0] = "audit";
    System.arraycopy(args, 0, argv, 1, args.length);
    return CliRun.run(argv);
  }

  static Map<String, Object> json(CliRun r) throws Exception {
    assertThat(r.out().lines().count()).as("one JSON object, one line").isEqualTo(1);
    return JSONObjectUtils.parse(r.out());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return (List<Object>) value;
  }

  static long number(Object value) {
    return ((Number) value).longValue();
  }

  /** The rows of a text table: cells are separated by two spaces or more. */
  static List<List<String>> rows(String text) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : text.lines().toList()) {
      rows.add(Arrays.asList(line.strip().split(" {2,}")));
    }
    return rows;
  }

  @Test
  void anIntactLedgerExitsZeroWithItsHeadHash() throws Exception {
    LedgerScenario.write(ledger());
    List<String> lines = Files.readAllLines(ledger());
    String head = sha256(lines.get(13));

    CliRun text = audit("verify", ledger().toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out().lines().toList())
        .containsExactly(
            "ok: the chain is intact: 14 entries checked, sequence numbers 0 to 13",
            "head hash: " + head + " (entry 13)",
            "record the head hash where the service cannot write (a ticket, another host): a"
                + " later rewrite of the newest entries then shows as a different head hash");
    assertThat(text.err()).isEmpty();

    CliRun json = audit("verify", ledger().toString(), "--json");
    assertThat(json.exit()).isZero();
    Map<String, Object> m = json(json);
    assertThat(m)
        .containsEntry("ok", true)
        .containsEntry("intact", true)
        .containsEntry("headHash", head);
    assertThat(number(m.get("entries"))).isEqualTo(14);
    assertThat(number(m.get("lastSeq"))).isEqualTo(13);
    assertThat(number(m.get("cutShortBytes"))).isZero();
  }

  @Test
  void anEntryCutShortByACrashIsANoteNotABreak() throws Exception {
    LedgerScenario.decisions(ledger(), 5);
    Files.writeString(ledger(), "{\"seq\":5,\"prev\":\"ab", StandardOpenOption.APPEND);

    CliRun text = audit("verify", ledger().toString());
    assertThat(text.exit()).isZero();
    assertThat(text.out())
        .startsWith("ok: the chain is intact: 5 entries checked, sequence numbers 0 to 4\n")
        .contains(
            "note: 19 bytes after the last entry are an entry cut short by a crash: not an entry"
                + " and not a break (the writer removes them when it starts again)");
    Map<String, Object> json = json(audit("verify", ledger().toString(), "--json"));
    assertThat(number(json.get("cutShortBytes"))).isEqualTo(19);
    assertThat(json).containsEntry("intact", true);
  }

  @Test
  void anEmptyLedgerIsIntact() throws Exception {
    Files.createFile(ledger());
    CliRun r = audit("verify", ledger().toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("ok: the ledger has no entries yet; nothing to verify\n");
  }

  static Stream<Arguments> tamperings() {
    return Stream.of(
        Arguments.of(
            "edited",
            (UnaryOperator<List<String>>)
                l -> {
                  l.set(5, l.get(5).replace("UNMAPPED_ROUTE", "PUBLIC"));
                  return l;
                },
            "edited",
            "ledger.jsonl:6",
            5,
            "entry 5 was changed: entry 6 names a different hash for it",
            5),
        Arguments.of(
            "removed",
            (UnaryOperator<List<String>>)
                l -> {
                  l.remove(7);
                  l.remove(7);
                  return l;
                },
            "removed",
            "ledger.jsonl:8",
            7,
            "entries 7 to 8 are missing before this one (entry 9)",
            7),
        Arguments.of(
            "reordered",
            (UnaryOperator<List<String>>)
                l -> {
                  Collections.swap(l, 10, 11);
                  return l;
                },
            "reordered",
            "ledger.jsonl:11",
            11,
            "entry 11 comes before entry 10",
            10),
        Arguments.of(
            "inserted",
            (UnaryOperator<List<String>>)
                l -> {
                  // A forged copy of entry 12 (same sequence number and predecessor).
                  l.add(13, l.get(12).replace("/healthz", "/admin"));
                  return l;
                },
            "inserted",
            "ledger.jsonl:14",
            12,
            "entry 12 appears twice (ledger.jsonl:13 and here): one was inserted",
            12),
        Arguments.of(
            "truncated chain start",
            (UnaryOperator<List<String>>) l -> new ArrayList<>(l.subList(4, l.size())),
            "truncated_start",
            "ledger.jsonl:1",
            4,
            "the ledger starts at entry 4: entries 0 to 3 are missing",
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tamperings")
  void aTamperedLedgerExitsOneNamingTheFirstBadEntry(
      String kind,
      UnaryOperator<List<String>> tamper,
      String jsonKind,
      String location,
      long seq,
      String explanation,
      long intact)
      throws Exception {
    LedgerScenario.decisions(ledger(), 20);
    Files.write(ledger(), tamper.apply(new ArrayList<>(Files.readAllLines(ledger()))));

    CliRun text = audit("verify", ledger().toString());
    assertThat(text.exit()).isEqualTo(1);
    assertThat(text.out().lines().toList())
        .containsExactly(
            "broken: the chain breaks at " + location + " (entry " + seq + "): " + kind,
            "  " + explanation,
            "  "
                + intact
                + (intact == 1 ? " entry" : " entries")
                + " verified before it; from there on the ledger cannot be trusted",
            "  fix: keep every ledger file as it is (it is evidence) and compare it with your"
                + " backups and the head hashes you recorded");

    CliRun json = audit("verify", ledger().toString(), "--json");
    assertThat(json.exit()).isEqualTo(1);
    Map<String, Object> m = json(json);
    assertThat(m)
        .containsEntry("ok", false)
        .containsEntry("intact", false)
        .containsEntry("kind", jsonKind)
        .containsEntry("location", location)
        .containsEntry("explanation", explanation);
    assertThat(number(m.get("seq"))).isEqualTo(seq);
    assertThat(number(m.get("intactEntries"))).isEqualTo(intact);
  }

  @Test
  void rotatedFilesAreVerifiedWithTheActiveFile() throws Exception {
    KeyRecord key =
        KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD), null, Set.of(), null);
    ManualClock clock = new ManualClock(Instant.parse("2026-12-06T23:59:00Z"));
    try (AuditLedger l = AuditLedger.file(ledger()).clock(clock).open()) {
      l.keyRevoked(key);
      l.keyRevoked(key);
    }
    clock.set(Instant.parse("2026-12-07T00:01:00Z"));
    try (AuditLedger l = AuditLedger.file(ledger()).clock(clock).open()) {
      l.keyRevoked(key);
      l.keyRevoked(key);
    }
    Path rotated = dir.resolve("ledger.jsonl.000000000000");
    assertThat(Files.readAllLines(rotated)).hasSize(2);

    CliRun ok = audit("verify", ledger().toString());
    assertThat(ok.exit()).isZero();
    assertThat(ok.out()).startsWith("ok: the chain is intact: 4 entries checked");

    List<String> old = new ArrayList<>(Files.readAllLines(rotated));
    old.set(1, old.get(1).replace("2026-12-06T23:59:00Z", "2026-12-06T23:58:00Z"));
    Files.write(rotated, old);
    CliRun edited = audit("verify", ledger().toString());
    assertThat(edited.exit()).isEqualTo(1);
    assertThat(edited.out())
        .startsWith("broken: the chain breaks at ledger.jsonl.000000000000:2 (entry 1): edited\n");

    Files.delete(rotated);
    CliRun truncated = audit("verify", ledger().toString());
    assertThat(truncated.exit()).isEqualTo(1);
    assertThat(truncated.out())
        .startsWith(
            "broken: the chain breaks at ledger.jsonl:1 (entry 2): truncated chain start\n");
  }

  @Test
  void rotatedFilesAloneAreALedger() throws Exception {
    LedgerScenario.decisions(ledger(), 3);
    Files.move(ledger(), dir.resolve("ledger.jsonl.000000000000"));
    CliRun r = audit("verify", ledger().toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("ok: the chain is intact: 3 entries checked");
  }

  @Test
  void aMissingLedgerExitsOneWithItsFix() throws Exception {
    String missing = dir.resolve("nope.jsonl").toString();
    for (String[] args :
        List.of(
            new String[] {"verify", missing},
            new String[] {"sweep", missing, "--key-id", "k7xq2m4p3ra3w5tz"},
            new String[] {"usage", missing, "--by", "key"})) {
      CliRun r = audit(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.err())
          .isEqualTo(
              "planeguard: there is no audit ledger at \""
                  + missing
                  + "\"\n  fix: give the active ledger file the service writes"
                  + " (PLANEGUARD_AUDIT_LEDGER or planeguard.audit.ledger); rotated files beside"
                  + " it, named after it with a 12-digit suffix, are read with it\n");
    }
    Map<String, Object> json = json(audit("verify", missing, "--json"));
    assertThat(json)
        .containsEntry("ok", false)
        .containsEntry("error", "cannot read the ledger")
        .containsEntry("message", "there is no audit ledger at \"" + missing + "\"");
    assertThat((String) json.get("fix")).startsWith("give the active ledger file");

    CliRun directory = audit("verify", dir.toString());
    assertThat(directory.exit()).isEqualTo(1);
    assertThat(directory.err())
        .contains("planeguard: the ledger \"" + dir + "\" is a directory")
        .contains("fix: give the active ledger file in it");
  }

  @Test
  void usageErrorsExitTwoAndNeverEchoAKey() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    String l = ledger().toString();
    List<String[]> bad =
        List.of(
            new String[] {},
            new String[] {"--json"},
            new String[] {"frobnicate", l},
            new String[] {"verify"},
            new String[] {"verify", l, l},
            new String[] {"verify", l, "--bogus"},
            new String[] {"sweep", l},
            new String[] {"sweep", l, "--key-id", "K7XQ2M4P3RA3W5TZ"},
            new String[] {"sweep", l, "--key-id", "x".repeat(65)},
            new String[] {"sweep", l, "--key-id", "a b"},
            new String[] {"sweep", l, "--key-id", s.leaked.value()},
            new String[] {"sweep", l, "--key-id", s.leaked.id(), "--since", "yesterday"},
            new String[] {"sweep", l, "--key-id", s.leaked.id(), "--until", "2026-12-06"},
            new String[] {
              "sweep",
              l,
              "--key-id",
              s.leaked.id(),
              "--since",
              "2026-12-06T11:00:00Z",
              "--until",
              "2026-12-06T10:00:00Z"
            },
            new String[] {"usage", l},
            new String[] {"usage", l, "--by", "route"},
            new String[] {"usage", l, "--by", "key", "--since", "10:00"});
    LeakCheck leaks = LeakCheck.create().apiKey("leaked key", s.leaked.value());
    for (String[] args : bad) {
      CliRun r = audit(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
      leaks.text(
          "audit " + String.join(" ", args).replace(s.leaked.value(), "KEY"), r.out() + r.err());
    }
    leaks.assertClean();

    CliRun key = audit("sweep", l, "--key-id", s.leaked.value(), "--json");
    assertThat(json(key))
        .containsEntry("error", "usage")
        .containsEntry(
            "message",
            "--key-id takes a key id: 1 to 64 characters of a-z 0-9 _ -, such as the ID column of"
                + " keys list (never the key itself)");
    assertThat(audit("sweep", l, "--key-id", s.leaked.id(), "--since", "yesterday").err())
        .startsWith(
            "planeguard: --since must be an ISO-8601 instant in UTC, such as 2026-12-06T10:00:00Z");
    assertThat(
            audit(
                    "sweep",
                    l,
                    "--key-id",
                    s.leaked.id(),
                    "--since",
                    "2026-12-06T11:00:00Z",
                    "--until",
                    "2026-12-06T10:00:00Z")
                .err())
        .startsWith("planeguard: --since is after --until; swap them");
  }

  @Test
  void theBreachSweepListsExactlyWhatOneKeyDidInTheWindow() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    String id = s.leaked.id();
    CliRun text =
        audit(
            "sweep",
            ledger().toString(),
            "--key-id",
            id,
            "--since",
            "2026-12-06T10:00:00Z",
            "--until",
            "2026-12-06T11:00:00Z");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.err()).isEmpty();
    List<List<String>> rows = rows(text.out());
    assertThat(rows.subList(0, 5))
        .containsExactly(
            List.of(
                "TIME", "EVENT", "REASON", "METHOD", "PATH", "TENANT", "REQUEST_ID", "LOCATION"),
            List.of(
                "2026-12-06T10:05:00Z",
                "allow",
                "AUTHENTICATED",
                "GET",
                "/api/v1/runs/42",
                "acme",
                "r4",
                "ledger.jsonl:6"),
            List.of(
                "2026-12-06T10:07:00Z",
                "deny",
                "CROSS_PLANE_CREDENTIAL",
                "GET",
                "/api/v1/accounts/me",
                "-",
                "r5",
                "ledger.jsonl:7"),
            List.of(
                "2026-12-06T10:20:00Z", "KEY_REVOKED", id, "-", "-", "-", "-", "ledger.jsonl:10"),
            List.of(
                "2026-12-06T10:25:00Z",
                "deny",
                "REVOKED_KEY",
                "GET",
                "/api/v1/runs",
                "-",
                "r8",
                "ledger.jsonl:11"));
    assertThat(text.out().lines().skip(5).toList())
        .containsExactly(
            "key "
                + id
                + " from 2026-12-06T10:00:00Z to 2026-12-06T11:00:00Z: 1 allowed, 2 refused, 1 key"
                + " event",
            "first 2026-12-06T10:05:00Z, last 2026-12-06T10:25:00Z",
            "3 distinct paths: /api/v1/accounts/me, /api/v1/runs, /api/v1/runs/42",
            "1 distinct tenant: acme");

    CliRun json =
        audit(
            "sweep",
            ledger().toString(),
            "--key-id",
            id,
            "--since",
            "2026-12-06T10:00:00Z",
            "--until",
            "2026-12-06T11:00:00Z",
            "--json");
    assertThat(json.exit()).isZero();
    Map<String, Object> m = json(json);
    assertThat(m)
        .containsEntry("ok", true)
        .containsEntry("keyId", id)
        .containsEntry("since", "2026-12-06T10:00:00Z")
        .containsEntry("until", "2026-12-06T11:00:00Z");
    assertThat(map(m.get("chain"))).containsEntry("intact", true);
    List<Object> entries = list(m.get("entries"));
    assertThat(entries)
        .extracting(
            e -> map(e).get("time"),
            e -> map(e).get("type"),
            e -> map(e).get("decision"),
            e -> map(e).get("reason"),
            e -> map(e).get("requestId"),
            e -> map(e).get("keyId"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "2026-12-06T10:05:00Z", "decision", "allow", "AUTHENTICATED", "r4", id),
            org.assertj.core.groups.Tuple.tuple(
                "2026-12-06T10:07:00Z", "decision", "deny", "CROSS_PLANE_CREDENTIAL", "r5", id),
            org.assertj.core.groups.Tuple.tuple(
                "2026-12-06T10:20:00Z", "KEY_REVOKED", null, null, null, id),
            org.assertj.core.groups.Tuple.tuple(
                "2026-12-06T10:25:00Z", "decision", "deny", "REVOKED_KEY", "r8", id));
    Map<String, Object> summary = map(m.get("summary"));
    assertThat(number(summary.get("allowed"))).isEqualTo(1);
    assertThat(number(summary.get("refused"))).isEqualTo(2);
    assertThat(number(summary.get("keyEvents"))).isEqualTo(1);
    assertThat(summary.get("first")).isEqualTo("2026-12-06T10:05:00Z");
    assertThat(summary.get("last")).isEqualTo("2026-12-06T10:25:00Z");
    assertThat(list(summary.get("paths")))
        .containsExactly("/api/v1/accounts/me", "/api/v1/runs", "/api/v1/runs/42");
    assertThat(list(summary.get("tenants"))).containsExactly("acme");

    // Both ends of the window count.
    CliRun bounds =
        audit(
            "sweep",
            ledger().toString(),
            "--key-id",
            id,
            "--since",
            "2026-12-06T10:05:00Z",
            "--until",
            "2026-12-06T10:25:00Z",
            "--json");
    assertThat(list(json(bounds).get("entries"))).isEqualTo(entries);

    // Without a window: everything the key did, its creation and the refusal after 11:00 too.
    CliRun all = audit("sweep", ledger().toString(), "--key-id", id);
    assertThat(rows(all.out()).subList(1, 8))
        .extracting(r -> r.get(0) + " " + r.get(1) + " " + r.get(2))
        .containsExactly(
            "2026-12-06T09:00:00Z KEY_CREATED " + id,
            "2026-12-06T09:30:00Z allow AUTHENTICATED",
            "2026-12-06T10:05:00Z allow AUTHENTICATED",
            "2026-12-06T10:07:00Z deny CROSS_PLANE_CREDENTIAL",
            "2026-12-06T10:20:00Z KEY_REVOKED " + id,
            "2026-12-06T10:25:00Z deny REVOKED_KEY",
            "2026-12-06T11:30:00Z deny REVOKED_KEY");
    assertThat(all.out())
        .contains("\nkey " + id + " in the whole ledger: 2 allowed, 3 refused, 2 key events\n");

    LeakCheck.create()
        .apiKey("leaked", s.leaked.value())
        .apiKey("other", s.other.value())
        .apiKey("successor", s.successor.value())
        .text("sweep text", text.out() + text.err())
        .text("sweep json", json.out() + json.err())
        .text("sweep all", all.out() + all.err())
        .text("ledger", Files.readString(ledger()))
        .assertClean();
    assertThat(text.out() + json.out() + all.out()).doesNotContain("sha256:");
  }

  @Test
  void theSweepFollowsARotationBothWays() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    String old = s.other.id();
    String next = s.successor.id();
    CliRun r = audit("sweep", ledger().toString(), "--key-id", old);
    assertThat(r.exit()).isZero();
    List<List<String>> rows = rows(r.out());
    assertThat(rows.subList(1, 7))
        .extracting(row -> row.get(1) + " " + row.get(2))
        .containsExactly(
            "KEY_CREATED " + old,
            "allow AUTHENTICATED",
            "allow AUTHENTICATED",
            "allow AUTHENTICATED",
            "KEY_CREATED " + next + " (successor of " + old + ")",
            "KEY_ROTATED "
                + old
                + " to successor "
                + next
                + ", old key until 2026-12-06T12:40:00Z");
    assertThat(r.out())
        .contains("key " + old + " in the whole ledger: 3 allowed, 0 refused, 3 key events\n")
        .contains("2 distinct paths: /api/v1/runs, /api/v1/runs/7\n")
        .contains("1 distinct tenant: globex\n");

    CliRun successor = audit("sweep", ledger().toString(), "--key-id", next, "--json");
    assertThat(list(json(successor).get("entries")))
        .extracting(e -> map(e).get("type"), e -> map(e).get("location"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("KEY_CREATED", "ledger.jsonl:13"),
            org.assertj.core.groups.Tuple.tuple("KEY_ROTATED", "ledger.jsonl:14"));

    CliRun none = audit("sweep", ledger().toString(), "--key-id", "k7xq2m4p3ra3w5tz");
    assertThat(none.exit()).isZero();
    assertThat(none.out()).isEqualTo("no entries of key k7xq2m4p3ra3w5tz in the whole ledger\n");
  }

  @Test
  void aBrokenChainIsAWarningAndTheSweepStillRuns() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    List<String> lines = new ArrayList<>(Files.readAllLines(ledger()));
    // Entry 11, the refusal at 11:30, loses its time: outside the window by its time, but
    // undated entries are listed rather than missed.
    lines.set(11, lines.get(11).replace("2026-12-06T11:30:00Z", "not-a-time"));
    Files.write(ledger(), lines);
    String[] args = {
      "sweep",
      ledger().toString(),
      "--key-id",
      s.leaked.id(),
      "--since",
      "2026-12-06T10:00:00Z",
      "--until",
      "2026-12-06T11:00:00Z"
    };

    CliRun text = audit(args);
    assertThat(text.exit()).isZero();
    assertThat(text.err())
        .isEqualTo(
            "planeguard: warning: the ledger's chain breaks at ledger.jsonl:12 (entry 11,"
                + " edited): entry 11 was changed: entry 12 names a different hash for it;"
                + " entries from there on may have been changed. Details: audit verify \""
                + ledger()
                + "\"\n");
    List<List<String>> rows = rows(text.out());
    assertThat(rows.subList(1, 6))
        .extracting(r -> r.get(0))
        .containsExactly(
            "2026-12-06T10:05:00Z",
            "2026-12-06T10:07:00Z",
            "2026-12-06T10:20:00Z",
            "2026-12-06T10:25:00Z",
            "-");
    assertThat(text.out())
        .contains(": 1 allowed, 3 refused, 1 key event\n")
        .endsWith("note: 1 entry has no valid time; listed whatever the window\n");

    String[] jsonArgs = Arrays.copyOf(args, args.length + 1);
    jsonArgs[args.length] = "--json";
    CliRun json = audit(jsonArgs);
    assertThat(json.exit()).isZero();
    assertThat(json.err()).isEmpty();
    Map<String, Object> m = json(json);
    assertThat(map(m.get("chain")))
        .containsEntry("intact", false)
        .containsEntry("kind", "edited")
        .containsEntry("location", "ledger.jsonl:12");
    assertThat(list(m.get("entries"))).hasSize(5);
    assertThat(number(map(m.get("summary")).get("undated"))).isEqualTo(1);
  }

  @Test
  void usageSumsTheTokensAndCostTheApplicationRecorded() throws Exception {
    LedgerScenario s = LedgerScenario.metered(ledger());
    CliRun byKey = audit("usage", ledger().toString(), "--by", "key");
    assertThat(byKey.exit()).isZero();
    assertThat(rows(byKey.out()))
        .containsExactly(
            List.of(
                "KEY_ID",
                "ALLOWED",
                "REFUSED",
                "FIRST",
                "LAST",
                "INPUT_TOKENS",
                "OUTPUT_TOKENS",
                "COST_CENTS"),
            List.of(
                s.leaked.id(),
                "2",
                "1",
                "2026-12-06T09:10:00Z",
                "2026-12-06T09:40:00Z",
                "1500",
                "300",
                "5"),
            List.of(
                s.other.id(),
                "1",
                "0",
                "2026-12-06T09:30:00Z",
                "2026-12-06T09:30:00Z",
                "40",
                "10",
                "1"),
            List.of("2 keys in the whole ledger: 3 allowed, 1 refused"));
    Map<String, Object> json =
        json(audit("usage", ledger().toString(), "--by", "tenant", "--json"));
    assertThat(list(json.get("rows")))
        .extracting(
            r -> map(r).get("tenant"),
            r -> number(map(r).get("inputTokens")),
            r -> number(map(r).get("outputTokens")),
            r -> number(map(r).get("costCents")))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("acme", 1500L, 300L, 5L),
            org.assertj.core.groups.Tuple.tuple("globex", 40L, 10L, 1L));
  }

  @Test
  void usageCountsDecisionsPerKeyAndPerTenant() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    String leaked = s.leaked.id();
    String other = s.other.id();

    CliRun byKey = audit("usage", ledger().toString(), "--by", "key");
    assertThat(byKey.exit()).isZero();
    assertThat(rows(byKey.out()))
        .containsExactly(
            List.of("KEY_ID", "ALLOWED", "REFUSED", "FIRST", "LAST"),
            List.of(other, "3", "0", "2026-12-06T09:45:00Z", "2026-12-06T10:08:00Z"),
            List.of(leaked, "2", "3", "2026-12-06T09:30:00Z", "2026-12-06T11:30:00Z"),
            List.of("2 keys in the whole ledger: 5 allowed, 3 refused"));

    CliRun since =
        audit("usage", ledger().toString(), "--by", "key", "--since", "2026-12-06T10:00:00Z");
    assertThat(rows(since.out()))
        .containsExactly(
            List.of("KEY_ID", "ALLOWED", "REFUSED", "FIRST", "LAST"),
            List.of(leaked, "1", "3", "2026-12-06T10:05:00Z", "2026-12-06T11:30:00Z"),
            List.of(other, "1", "0", "2026-12-06T10:08:00Z", "2026-12-06T10:08:00Z"),
            List.of("2 keys since 2026-12-06T10:00:00Z: 2 allowed, 3 refused"));

    CliRun byTenant = audit("usage", ledger().toString(), "--by", "tenant");
    assertThat(rows(byTenant.out()))
        .containsExactly(
            List.of("TENANT", "ALLOWED", "REFUSED", "FIRST", "LAST"),
            List.of("globex", "3", "0", "2026-12-06T09:45:00Z", "2026-12-06T10:08:00Z"),
            List.of("acme", "2", "0", "2026-12-06T09:30:00Z", "2026-12-06T10:05:00Z"),
            List.of("2 tenants in the whole ledger: 5 allowed, 0 refused"));

    CliRun json = audit("usage", ledger().toString(), "--by", "key", "--json");
    Map<String, Object> m = json(json);
    assertThat(m).containsEntry("ok", true).containsEntry("by", "key");
    assertThat(number(m.get("allowed"))).isEqualTo(5);
    assertThat(number(m.get("refused"))).isEqualTo(3);
    assertThat(list(m.get("rows")))
        .extracting(
            r -> map(r).get("keyId"),
            r -> number(map(r).get("allowed")),
            r -> number(map(r).get("refused")),
            r -> map(r).get("first"),
            r -> map(r).get("last"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                other, 3L, 0L, "2026-12-06T09:45:00Z", "2026-12-06T10:08:00Z"),
            org.assertj.core.groups.Tuple.tuple(
                leaked, 2L, 3L, "2026-12-06T09:30:00Z", "2026-12-06T11:30:00Z"));
    assertThat(map(m.get("chain"))).containsEntry("intact", true);

    CliRun empty =
        audit("usage", ledger().toString(), "--by", "tenant", "--since", "2027-01-01T00:00:00Z");
    assertThat(empty.exit()).isZero();
    assertThat(empty.out()).isEqualTo("no decisions with a tenant since 2027-01-01T00:00:00Z\n");

    LeakCheck.create()
        .apiKey("leaked", s.leaked.value())
        .apiKey("other", s.other.value())
        .text("usage", byKey.out() + since.out() + byTenant.out() + json.out())
        .assertClean();
  }

  @Test
  void controlCharactersFromAChangedLedgerNeverReachTheTerminal() throws Exception {
    LedgerScenario s = LedgerScenario.write(ledger());
    List<String> lines = new ArrayList<>(Files.readAllLines(ledger()));
    lines.set(5, lines.get(5).replace("/api/v1/runs/42", "/x\\u001b]0;owned\\u0007"));
    Files.write(ledger(), lines);
    CliRun r = audit("sweep", ledger().toString(), "--key-id", s.leaked.id());
    assertThat(r.exit()).isZero();
    assertThat(r.out() + r.err()).doesNotContain("\u001b").doesNotContain("\u0007");
    assertThat(r.out()).contains("/x\\u001b]0;owned\\u0007");
  }
}
