package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyUsage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code planeguard keys}: new, rotate, revoke, list and import-legacy on a real key file, with the
 * plaintext printed exactly once and the audit events on the {@code planeguard.audit} logger.
 */
class KeysCommandTest {

  @TempDir Path dir;

  /** A run with the SLF4J output (standard error of the process) captured too. */
  record Run(int exit, String out, String err, String log) {
    String all() {
      return out + err + log;
    }
  }

  static Run keys(Map<String, String> env, String... args) {
    PrintStream original = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    CliRun r;
    try {
      String[] argv = new String[args.length + 1];
      argv[0] = "keys";
      System.arraycopy(args, 0, argv, 1, args.length);
      r = CliRun.run(env, argv);
    } finally {
      System.setErr(original);
    }
    return new Run(r.exit(), r.out(), r.err(), log.toString(StandardCharsets.UTF_8));
  }

  static Run keys(String... args) {
    return keys(Map.of(), args);
  }

  Path file() {
    return dir.resolve("keys.jsonl");
  }

  String newKey(String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "new",
                "--kind",
                "mk",
                "--mode",
                "prod",
                "--tenant",
                "acme",
                "--file",
                file().toString()));
    args.addAll(List.of(extra));
    Run r = keys(args.toArray(String[]::new));
    assertThat(r.exit()).as(r.err()).isZero();
    return r.out().strip();
  }

  @Test
  void newPrintsTheKeyOnceAndStoresOnlyItsHash() throws Exception {
    Run r =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--scopes",
            "runs:write, telemetry:write",
            "--not-after",
            "2030-01-01T00:00:00Z",
            "--file",
            file().toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines().toList()).as("the key, alone on standard output").hasSize(1);
    String value = r.out().strip();
    ApiKey key = ApiKey.parse(value);
    assertThat(key.kind()).isEqualTo(ApiKey.Kind.MACHINE);
    assertThat(r.err())
        .contains(
            "created " + key.id() + " (mk, prod, tenant acme, scopes runs:write,telemetry:write)")
        .doesNotContain(value);
    assertThat(r.log())
        .contains("INFO planeguard.audit - event=KEY_CREATED key_id=" + key.id())
        .doesNotContain(value);
    KeyRecord stored = KeyFile.open(file()).findById(key.id());
    assertThat(stored.created())
        .isNotNull()
        .isBetween(Instant.now().minus(Duration.ofMinutes(10)), Instant.now());
    assertThat(stored)
        .isEqualTo(
            KeyRecord.of(
                    key,
                    "acme",
                    java.util.Set.of("runs:write", "telemetry:write"),
                    Instant.parse("2030-01-01T00:00:00Z"))
                .withCreated(stored.created()));
    assertThat(Files.readString(file())).doesNotContain(value).contains(key.hash());
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void newWithJsonPrintsOneObject() throws Exception {
    Run r =
        keys(
            "new",
            "--kind",
            "sk",
            "--mode",
            "local",
            "--tenant",
            "acme",
            "--file",
            file().toString(),
            "--json");
    assertThat(r.exit()).isZero();
    Map<String, Object> json = JSONObjectUtils.parse(r.out());
    assertThat(json)
        .containsEntry("ok", true)
        .containsEntry("kind", "sk")
        .containsEntry("mode", "local")
        .containsEntry("tenant", "acme")
        .containsEntry("status", "active")
        .containsEntry("legacy", false)
        .doesNotContainKey("hash");
    ApiKey key = ApiKey.parse((String) json.get("key"));
    assertThat(json.get("id")).isEqualTo(key.id());
  }

  @Test
  void listShowsEveryKeyButNeverAKeyOrHash() throws Exception {
    String a = newKey("--scopes", "runs:write");
    String b = newKey();
    keys("revoke", ApiKey.parse(b).id(), "--file", file().toString());
    Run text = keys("list", "--file", file().toString());
    assertThat(text.exit()).isZero();
    assertThat(text.out())
        .contains("ID")
        .contains("STATUS")
        .contains(ApiKey.parse(a).id())
        .contains("runs:write")
        .contains("revoked")
        .contains("2 keys");
    Run json = keys("list", "--file", file().toString(), "--json");
    Map<String, Object> parsed = JSONObjectUtils.parse(json.out());
    assertThat((List<?>) parsed.get("keys")).hasSize(2);
    for (Run r : List.of(text, json)) {
      assertThat(r.all()).doesNotContain(a).doesNotContain(b).doesNotContain("sha256:");
    }
  }

  @Test
  void newGivesAKeyLimitsOfItsOwnThatListAndRotateKeep() throws Exception {
    String value =
        newKey("--rate-limit", "100/1m", "--uses", "1000", "--uses-refill", "30d", "--json");
    Map<String, Object> created = JSONObjectUtils.parse(value);
    assertThat(created)
        .containsEntry("rateLimit", "100/1m")
        .containsEntry("uses", 1000L)
        .containsEntry("usesRefill", "30d");
    ApiKey key = ApiKey.parse((String) created.get("key"));
    assertThat(KeyFile.open(file()).findById(key.id()).limits())
        .isEqualTo(
            new dev.planeguard.keys.KeyLimits(
                dev.planeguard.RateLimit.parse("100/1m"), 1000L, java.time.Duration.ofDays(30)));
    newKey("--uses", "5");

    Run text = keys("list", "--file", file().toString());
    assertThat(text.out()).contains("LIMITS").contains("100/1m, 1000 uses/30d").contains("5 uses");
    Run json = keys("list", "--file", file().toString(), "--json");
    assertThat((List<?>) JSONObjectUtils.parse(json.out()).get("keys"))
        .anySatisfy(
            k ->
                assertThat(JSONObjectUtils.toJSONString(castMap(k)))
                    .contains("\"id\":\"" + key.id() + "\"")
                    .contains("\"rateLimit\":\"100/1m\"")
                    .contains("\"uses\":1000")
                    .contains("\"usesRefill\":\"30d\""));

    Run rotated = keys("rotate", key.id(), "--file", file().toString(), "--json");
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    assertThat(JSONObjectUtils.parse(rotated.out()))
        .containsEntry("rateLimit", "100/1m")
        .containsEntry("uses", 1000L);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void badLimitsAreUsageErrors() {
    for (String[] bad :
        new String[][] {
          {"--rate-limit", "lots"},
          {"--rate-limit", "0/1m"},
          {"--rate-limit", "5/1w"},
          {"--uses", "0"},
          {"--uses", "-3"},
          {"--uses", "many"},
          {"--uses-refill", "30d"},
          {"--uses", "5", "--uses-refill", "2y"}
        }) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of(
                  "new",
                  "--kind",
                  "mk",
                  "--mode",
                  "prod",
                  "--tenant",
                  "acme",
                  "--file",
                  file().toString()));
      args.addAll(List.of(bad));
      Run r = keys(args.toArray(String[]::new));
      assertThat(r.exit()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(r.out()).isEmpty();
    }
    assertThat(file()).doesNotExist();
    Run r =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "a",
            "--uses-refill",
            "30d",
            "--file",
            file().toString());
    assertThat(r.err()).contains("--uses-refill needs --uses: say how many uses are refilled");
    r =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "a",
            "--rate-limit",
            "5/1w",
            "--file",
            file().toString());
    assertThat(r.err())
        .contains("--rate-limit must be requests/period such as 100/1m, 10/s or 5000/1d");
  }

  @Test
  void listShowsAgeAndFirstAndLastUse() throws Exception {
    // A key file from before records carried their creation time: the age is unknown.
    ApiKey used = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey unused = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    try (KeyFile f = KeyFile.openOrCreate(file())) {
      f.add(KeyRecord.of(used, "acme", java.util.Set.of(), null));
      f.add(KeyRecord.of(unused, "acme", java.util.Set.of(), null));
    }
    assertThat(Files.readString(file())).doesNotContain("created");
    Instant first = Instant.parse("2026-11-22T10:00:00Z");
    Instant last = Instant.parse("2026-11-23T08:30:00Z");
    KeyFile.open(file()).recordUsage(Map.of(used.id(), new KeyUsage(null, first, last)));

    Run text = keys("list", "--file", file().toString());
    assertThat(text.exit()).as(text.err()).isZero();
    List<String> lines = text.out().lines().toList();
    assertThat(lines.get(0))
        .matches("ID .* NOT_AFTER +LIMITS +AGE +ROTATION +FIRST_USED +LAST_USED");
    assertThat(lines)
        .anySatisfy(
            l ->
                assertThat(l)
                    .startsWith(used.id())
                    .matches(".* unknown +unknown +2026-11-22T10:00:00Z +2026-11-23T08:30:00Z"))
        .anySatisfy(
            l -> assertThat(l).startsWith(unused.id()).matches(".* unknown +unknown +never +never"))
        .endsWith(
            "2 keys",
            "age unknown for 2 keys: no creation time in the store (a key file written before"
                + " planeguard recorded it); keys rotate gives the successor one");

    Run json = keys("list", "--file", file().toString(), "--json");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listed =
        (List<Map<String, Object>>) JSONObjectUtils.parse(json.out()).get("keys");
    Map<String, Object> usedJson =
        listed.stream().filter(k -> k.get("id").equals(used.id())).findFirst().orElseThrow();
    Map<String, Object> unusedJson =
        listed.stream().filter(k -> k.get("id").equals(unused.id())).findFirst().orElseThrow();
    assertThat(usedJson)
        .containsEntry("created", null)
        .containsEntry("age", null)
        .containsEntry("rotationDue", null)
        .containsEntry("firstUsed", "2026-11-22T10:00:00Z")
        .containsEntry("lastUsed", "2026-11-23T08:30:00Z");
    assertThat(unusedJson)
        .containsEntry("created", null)
        .containsEntry("firstUsed", null)
        .containsEntry("lastUsed", null);
    assertThat(Files.readAllLines(file())).as("the key file is not written").hasSize(2);
  }

  @Test
  void listFlagsKeysOlderThanTheRotationPeriod() throws Exception {
    Instant now = Instant.now();
    ApiKey old = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey young = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey ageless = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    try (KeyFile f = KeyFile.openOrCreate(file())) {
      f.add(
          KeyRecord.of(old, null, java.util.Set.of(), null)
              .withCreated(now.minus(Duration.ofDays(100))));
      f.add(
          KeyRecord.of(young, null, java.util.Set.of(), null)
              .withCreated(now.minus(Duration.ofDays(10))));
      f.add(KeyRecord.of(ageless, null, java.util.Set.of(), null));
    }
    Run text = keys("list", "--file", file().toString());
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out().lines())
        .anySatisfy(l -> assertThat(l).startsWith(old.id()).matches(".* 100d +due +never +never"))
        .anySatisfy(l -> assertThat(l).startsWith(young.id()).matches(".* 10d +- +never +never"))
        .anySatisfy(
            l ->
                assertThat(l).startsWith(ageless.id()).matches(".* unknown +unknown +never +never"))
        .contains(
            "age unknown for 1 key: no creation time in the store (a key file written before"
                + " planeguard recorded it); keys rotate gives the successor one");

    Run json = keys("list", "--file", file().toString(), "--rotation-period", "5d", "--json");
    assertThat(json.exit()).isZero();
    Map<String, Object> parsed = JSONObjectUtils.parse(json.out());
    assertThat(parsed).containsEntry("rotationPeriod", "PT120H");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listed = (List<Map<String, Object>>) parsed.get("keys");
    assertThat(listed)
        .extracting(k -> k.get("id"), k -> k.get("rotationDue"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(old.id(), true),
            org.assertj.core.groups.Tuple.tuple(young.id(), true),
            org.assertj.core.groups.Tuple.tuple(ageless.id(), null));
    assertThat(listed.get(0).get("created")).isEqualTo(now.minus(Duration.ofDays(100)).toString());

    for (String bad : List.of("90", "0d", "2w", "90m")) {
      Run r = keys("list", "--file", file().toString(), "--rotation-period", bad);
      assertThat(r.exit()).as(bad).isEqualTo(2);
    }
  }

  @Test
  void theAgeIsItsLargestWholeUnit() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord record = KeyRecord.of(key, null, java.util.Set.of(), null);
    Instant now = Instant.parse("2026-11-22T10:00:00Z");
    Map<Duration, String> ages =
        Map.of(
            Duration.ofSeconds(59), "<1m",
            Duration.ofMinutes(59), "59m",
            Duration.ofHours(23).plusMinutes(59), "23h",
            Duration.ofDays(400).plusHours(5), "400d",
            Duration.ofMinutes(-3), "<1m");
    Duration period = Duration.ofDays(90);
    ages.forEach(
        (age, shown) ->
            assertThat(
                    Keys.table(
                        List.of(record),
                        Map.of(key.id(), new KeyUsage(now.minus(age), null, null)),
                        Map.of(),
                        now,
                        period))
                .endsWith(
                    "  "
                        + shown
                        + "  "
                        + (age.toDays() >= 90 ? "due     " : "-       ")
                        + "  never       never\n"));
    assertThat(Keys.table(List.of(record), null, Map.of(), now, period))
        .as("a store that cannot say")
        .endsWith("  unknown  unknown   unknown     unknown\n");
  }

  @Test
  void rotateCreatesASuccessorAndEndsTheOldKeyAfterTheGrace() throws Exception {
    String old = newKey("--scopes", "runs:write");
    String oldId = ApiKey.parse(old).id();
    Instant before = Instant.now();
    Run r = keys("rotate", oldId, "--file", file().toString());
    Instant after = Instant.now();
    assertThat(r.exit()).as(r.err()).isZero();
    ApiKey successor = ApiKey.parse(r.out().strip());
    KeyFile file = KeyFile.open(file());
    KeyRecord stored = file.findById(successor.id());
    assertThat(stored.created()).isNotNull();
    assertThat(stored)
        .isEqualTo(
            KeyRecord.of(successor, "acme", java.util.Set.of("runs:write"), null)
                .withCreated(stored.created()));
    Instant notAfter = file.findById(oldId).notAfter();
    assertThat(notAfter)
        .isBetween(before.plus(Duration.ofHours(48)), after.plus(Duration.ofHours(48)));
    assertThat(r.err()).contains("rotated " + oldId).doesNotContain(successor.value());
    assertThat(r.log())
        .contains("event=KEY_CREATED key_id=" + successor.id())
        .contains("rotated_from=" + oldId)
        .contains("event=KEY_ROTATED key_id=" + oldId + " successor_id=" + successor.id())
        .doesNotContain(successor.value())
        .doesNotContain(old);

    Run shorter = keys("rotate", oldId, "--grace", "2h", "--file", file().toString(), "--json");
    assertThat(shorter.exit()).isZero();
    Map<String, Object> json = JSONObjectUtils.parse(shorter.out());
    Map<?, ?> predecessor = (Map<?, ?>) json.get("predecessor");
    assertThat(predecessor.get("id")).isEqualTo(oldId);
    assertThat(Instant.parse((String) predecessor.get("notAfter"))).isBefore(notAfter);
    ApiKey.parse((String) json.get("key"));
  }

  @Test
  void revokeIsImmediateAndAudited() throws Exception {
    String key = newKey();
    String id = ApiKey.parse(key).id();
    Run r = keys("revoke", id, "--file", file().toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out()).isEqualTo("revoked " + id + "\n");
    assertThat(r.log()).contains("INFO planeguard.audit - event=KEY_REVOKED key_id=" + id);
    assertThat(KeyFile.open(file()).findById(id).status()).isEqualTo(KeyRecord.Status.REVOKED);
    Run again = keys("revoke", id, "--file", file().toString(), "--json");
    assertThat(again.exit()).isZero();
    assertThat(JSONObjectUtils.parse(again.out())).containsEntry("status", "revoked");
  }

  @Test
  void refusalsExitOne() throws Exception {
    String key = newKey();
    String id = ApiKey.parse(key).id();
    Run unknown = keys("revoke", "k7xq2m4p3ra3w5tz", "--file", file().toString());
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no key with id");
    Run unknownJson = keys("rotate", "k7xq2m4p3ra3w5tz", "--file", file().toString(), "--json");
    assertThat(unknownJson.exit()).isEqualTo(1);
    assertThat(JSONObjectUtils.parse(unknownJson.out()))
        .containsEntry("ok", false)
        .containsEntry("error", "refused");
    keys("revoke", id, "--file", file().toString());
    Run rotateRevoked = keys("rotate", id, "--file", file().toString());
    assertThat(rotateRevoked.exit()).isEqualTo(1);
    assertThat(rotateRevoked.err()).contains("is revoked");

    Files.writeString(file(), Files.readString(file()) + "not json\n");
    Run invalid = keys("revoke", id, "--file", file().toString(), "--json");
    assertThat(invalid.exit()).isEqualTo(1);
    Map<String, Object> json = JSONObjectUtils.parse(invalid.out());
    assertThat(json).containsEntry("error", "invalid key file");
    assertThat((List<?>) json.get("problems"))
        .singleElement()
        .satisfies(p -> assertThat(((Map<?, ?>) p).get("subject")).isEqualTo(file() + ":2"));
    Run invalidText = keys("list", "--file", file().toString());
    assertThat(invalidText.exit()).isEqualTo(1);
    assertThat(invalidText.err()).contains(file() + ":2: not a JSON object");
    assertThat(keys("list", "--file", dir.resolve("missing.jsonl").toString()).exit()).isEqualTo(1);
    Run unwritable =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--file",
            dir.resolve("no-such-dir").resolve("keys.jsonl").toString());
    assertThat(unwritable.exit()).isEqualTo(1);
    assertThat(unwritable.err())
        .contains("cannot create the key file")
        .contains("NoSuchFileException");
    assertThat(unwritable.out()).as("no key printed when none was stored").isEmpty();
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    String f = file().toString();
    List<String[]> bad =
        List.of(
            new String[] {},
            new String[] {"--json"},
            new String[] {"frobnicate", "--file", f},
            new String[] {"new", "--kind", "mk", "--mode", "prod", "--tenant", "acme"},
            new String[] {"new", "--kind", "xk", "--mode", "prod", "--tenant", "acme", "--file", f},
            new String[] {
              "new", "--kind", "mk", "--mode", "staging", "--tenant", "acme", "--file", f
            },
            new String[] {"new", "--kind", "mk", "--mode", "prod", "--file", f},
            new String[] {"new", "--kind", "sk", "--mode", "prod", "--tenant", "acme", "--file", f},
            new String[] {"new", "--kind", "mk", "--mode", "prod", "--tenant", "a b", "--file", f},
            new String[] {
              "new",
              "--kind",
              "mk",
              "--mode",
              "prod",
              "--tenant",
              "acme",
              "--scopes",
              "runs write",
              "--file",
              f
            },
            new String[] {
              "new",
              "--kind",
              "mk",
              "--mode",
              "prod",
              "--tenant",
              "acme",
              "--not-after",
              "2020-01-01T00:00:00Z",
              "--file",
              f
            },
            new String[] {
              "new",
              "--kind",
              "mk",
              "--mode",
              "prod",
              "--tenant",
              "acme",
              "--not-after",
              "tomorrow",
              "--file",
              f
            },
            new String[] {
              "new", "extra", "--kind", "mk", "--mode", "prod", "--tenant", "acme", "--file", f
            },
            new String[] {"rotate", "--file", f},
            new String[] {"rotate", "a", "b", "--file", f},
            new String[] {"rotate", "k7xq2m4p3ra3w5tz", "--grace", "31d", "--file", f},
            new String[] {"rotate", "k7xq2m4p3ra3w5tz", "--grace", "-1h", "--file", f},
            new String[] {"rotate", "k7xq2m4p3ra3w5tz", "--grace", "soon", "--file", f},
            new String[] {"revoke", "--file", f},
            new String[] {"list"},
            new String[] {"list", "--file", f, "--bogus"});
    for (String[] args : bad) {
      Run r = keys(args);
      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
    }
    Run json =
        keys("new", "--kind", "sk", "--mode", "prod", "--tenant", "acme", "--file", f, "--json");
    assertThat(JSONObjectUtils.parse(json.out())).containsEntry("error", "usage");
    assertThat(file()).as("refused commands leave no key file behind").doesNotExist();
  }

  @Test
  void aRefusedNewLeavesNoEmptyKeyFileButNeverRemovesAnExistingOne() throws Exception {
    Run sandboxInProd =
        keys(
            "new",
            "--kind",
            "sk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--file",
            file().toString());
    assertThat(sandboxInProd.exit()).isEqualTo(2);
    assertThat(file()).doesNotExist();
    Run pastNotAfter =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--not-after",
            "2020-01-01T00:00:00Z",
            "--file",
            file().toString());
    assertThat(pastNotAfter.exit()).isEqualTo(2);
    assertThat(file()).doesNotExist();
    Run shortLegacy =
        keys(
            Map.of("K", "short"),
            "import-legacy",
            "x-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--from-env",
            "K",
            "--file",
            file().toString());
    assertThat(shortLegacy.exit()).isEqualTo(2);
    assertThat(file()).doesNotExist();

    // An empty file the operator made, and a file with keys, stay as they are.
    Files.createFile(
        file(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    assertThat(
            keys(
                    "new",
                    "--kind",
                    "sk",
                    "--mode",
                    "prod",
                    "--tenant",
                    "acme",
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);
    assertThat(file()).exists().isEmptyFile();
    String key = newKey();
    String before = Files.readString(file());
    assertThat(
            keys(
                    "new",
                    "--kind",
                    "sk",
                    "--mode",
                    "prod",
                    "--tenant",
                    "acme",
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);
    assertThat(Files.readString(file())).isEqualTo(before).contains(ApiKey.parse(key).id());
  }

  @Test
  void namesTheUserTypedAreQuotedSoNoControlCharacterReachesTheTerminal() throws Exception {
    String escape = "\u001b]0;owned\u0007\u001b[2J";
    newKey();
    List<Run> runs =
        List.of(
            keys("list", "--file", file().toString(), "--" + escape),
            keys(escape, "--file", file().toString()),
            keys("rotate", escape, "--file", file().toString()),
            keys("revoke", "x" + escape, "--file", file().toString()),
            keys(
                Map.of(),
                "import-legacy",
                "x-key",
                "--kind",
                "mk",
                "--mode",
                "prod",
                "--from-env",
                escape,
                "--file",
                file().toString()),
            keys(
                "import-legacy",
                "x-key",
                "--kind",
                "mk",
                "--mode",
                "prod",
                "--from-file",
                dir.resolve(escape).toString(),
                "--file",
                file().toString()));
    for (Run r : runs) {
      assertThat(r.exit()).as(r.err()).isIn(1, 2);
      assertThat(r.all()).as(r.err()).doesNotContain("\u001b").doesNotContain("\u0007");
    }
    assertThat(runs.get(0).err()).contains("unknown option \"--\\u001b]0;owned\\u0007\\u001b[2J\"");
    assertThat(runs.get(1).err()).contains("unknown keys subcommand \"\\u001b]0;owned");
    CliRun command = CliRun.run(escape);
    assertThat(command.exit()).isEqualTo(2);
    assertThat(command.err())
        .contains("unknown command \"\\u001b]0;owned")
        .doesNotContain("\u001b");
  }

  @Test
  void graceDurations() {
    assertThat(Keys.grace(null)).isEqualTo(Duration.ofHours(48));
    assertThat(Keys.grace("48h")).isEqualTo(Duration.ofHours(48));
    assertThat(Keys.grace("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(Keys.grace("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(Keys.grace("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Keys.grace("0")).isEqualTo(Duration.ZERO);
    assertThat(Keys.grace("PT12H")).isEqualTo(Duration.ofHours(12));
    assertThat(Keys.grace("30d")).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void importLegacyReadsTheSecretFromEnvOrFileNeverTheCommandLine() throws Exception {
    String secret = "aosLegacyApiKey-0123456789abcdefghij";
    Run r =
        keys(
            Map.of("AOS_API_KEY", secret),
            "import-legacy",
            "aos-api-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--scopes",
            "runs:write",
            "--from-env",
            "AOS_API_KEY",
            "--file",
            file().toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).isEqualTo("imported legacy key aos-api-key\n");
    assertThat(r.err()).contains("keys rotate aos-api-key");
    assertThat(r.log()).contains("event=KEY_CREATED key_id=aos-api-key").contains("legacy=true");
    assertThat(r.all()).doesNotContain(secret);
    assertThat(Files.readString(file())).doesNotContain(secret).contains(ApiKey.hash(secret));
    KeyRecord record = KeyFile.open(file()).findByHash(ApiKey.hash(secret));
    assertThat(record.id()).isEqualTo("aos-api-key");
    assertThat(record.legacy()).isTrue();

    Path secretFile = dir.resolve("secret.txt");
    Files.writeString(secretFile, "anotherLegacySecret-0123456789\n");
    Run fromFile =
        keys(
            "import-legacy",
            "other-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--from-file",
            secretFile.toString(),
            "--file",
            file().toString(),
            "--json");
    assertThat(fromFile.exit()).isZero();
    assertThat(JSONObjectUtils.parse(fromFile.out()))
        .containsEntry("legacy", true)
        .containsEntry("id", "other-key");
    assertThat(KeyFile.open(file()).findByHash(ApiKey.hash("anotherLegacySecret-0123456789")).id())
        .isEqualTo("other-key");

    // refusals
    assertThat(
            keys(
                    Map.of("AOS_API_KEY", secret),
                    "import-legacy",
                    "aos-api-key",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--from-env",
                    "AOS_API_KEY",
                    "--file",
                    file().toString())
                .exit())
        .as("same id")
        .isEqualTo(1);
    assertThat(
            keys(
                    Map.of("AOS_API_KEY", secret),
                    "import-legacy",
                    "again",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--from-env",
                    "AOS_API_KEY",
                    "--file",
                    file().toString())
                .exit())
        .as("same secret")
        .isEqualTo(1);
    String structured = ApiKey.generate(ApiKey.Kind.MACHINE, dev.planeguard.Mode.PROD).value();
    Run keyShaped =
        keys(
            Map.of("K", structured),
            "import-legacy",
            "x-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--from-env",
            "K",
            "--file",
            file().toString());
    assertThat(keyShaped.exit()).isEqualTo(2);
    assertThat(keyShaped.all()).doesNotContain(structured);
    assertThat(
            keys(
                    Map.of(),
                    "import-legacy",
                    "x-key",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--from-env",
                    "UNSET",
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);
    assertThat(
            keys(
                    Map.of("K", secret),
                    "import-legacy",
                    "x-key",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--from-env",
                    "K",
                    "--from-file",
                    secretFile.toString(),
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);
    assertThat(
            keys(
                    Map.of(),
                    "import-legacy",
                    "x-key",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);
    assertThat(
            keys(
                    Map.of("K", "short"),
                    "import-legacy",
                    "x-key",
                    "--kind",
                    "mk",
                    "--mode",
                    "prod",
                    "--from-env",
                    "K",
                    "--file",
                    file().toString())
                .exit())
        .isEqualTo(2);

    // and the migration: rotate the legacy key to a structured successor
    Run rotated = keys("rotate", "aos-api-key", "--file", file().toString());
    assertThat(rotated.exit()).isZero();
    assertThat(ApiKey.parse(rotated.out().strip()).kind()).isEqualTo(ApiKey.Kind.MACHINE);
  }
}
