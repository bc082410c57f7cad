package dev.planeguard.cli;

import static dev.planeguard.cli.KeysCommandTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.AuditLedger;
import dev.planeguard.LedgerEntry;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.testing.LeakCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code planeguard keys new|rotate|revoke|import-legacy --ledger}: the key events become entries
 * of the audit ledger, continuing its chain; a ledger that cannot be opened stops the command
 * before anything changes, except a revocation, which goes ahead and says its entry is missing.
 */
class KeysLedgerCommandTest {

  @TempDir Path dir;

  Path keyFile() {
    return dir.resolve("keys.jsonl");
  }

  Path ledger() {
    return dir.resolve("audit").resolve("ledger.jsonl");
  }

  List<LedgerEntry> entries() throws Exception {
    List<LedgerEntry> entries = new ArrayList<>();
    AuditLedger.scan(ledger(), entries::add);
    return entries;
  }

  String[] newKey(String ledgerOption) {
    return new String[] {
      "new",
      "--kind",
      "mk",
      "--mode",
      "prod",
      "--tenant",
      "acme",
      "--scopes",
      "runs:write",
      "--file",
      keyFile().toString(),
      "--ledger",
      ledgerOption
    };
  }

  @Test
  void everyLifecycleEventIsAnEntryAndTheChainVerifies() throws Exception {
    Files.createDirectories(ledger().getParent());
    String secret = "aosLegacyApiKey-0123456789abcdefghij";
    String l = ledger().toString();

    KeysCommandTest.Run created = keys(newKey(l));
    assertThat(created.exit()).as(created.err()).isZero();
    ApiKey key = ApiKey.parse(created.out().strip());
    String id = key.id();

    KeysCommandTest.Run rotated =
        keys(
            "rotate", id, "--grace", "2h", "--file", keyFile().toString(), "--ledger", l, "--json");
    assertThat(rotated.exit()).as(rotated.err()).isZero();
    Map<String, Object> rotatedJson = JSONObjectUtils.parse(rotated.out());
    assertThat(rotatedJson).containsEntry("ledger", l).doesNotContainKey("ledgerProblem");
    ApiKey successor = ApiKey.parse((String) rotatedJson.get("key"));

    KeysCommandTest.Run revoked = keys("revoke", id, "--file", keyFile().toString(), "--ledger", l);
    assertThat(revoked.exit()).isZero();
    assertThat(revoked.out()).isEqualTo("revoked " + id + "\n");

    // Without --ledger, the environment names the ledger.
    KeysCommandTest.Run imported =
        keys(
            Map.of("AOS_API_KEY", secret, "PLANEGUARD_AUDIT_LEDGER", l),
            "import-legacy",
            "aos-api-key",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--from-env",
            "AOS_API_KEY",
            "--file",
            keyFile().toString());
    assertThat(imported.exit()).as(imported.err()).isZero();
    KeysCommandTest.Run listed =
        keys(Map.of("PLANEGUARD_AUDIT_LEDGER", l), "list", "--file", keyFile().toString());
    assertThat(listed.exit()).isZero();

    List<LedgerEntry> entries = entries();
    assertThat(entries)
        .extracting(LedgerEntry::seq, LedgerEntry::type, e -> e.text("key_id"))
        .containsExactly(
            Tuple.tuple(0L, "KEY_CREATED", id),
            Tuple.tuple(1L, "KEY_CREATED", successor.id()),
            Tuple.tuple(2L, "KEY_ROTATED", id),
            Tuple.tuple(3L, "KEY_REVOKED", id),
            Tuple.tuple(4L, "KEY_CREATED", "aos-api-key"));
    assertThat(entries.get(0).text("tenant")).isEqualTo("acme");
    assertThat(entries.get(0).texts("scopes")).containsExactly("runs:write");
    assertThat(entries.get(1).text("rotated_from")).isEqualTo(id);
    assertThat(entries.get(2).text("successor_id")).isEqualTo(successor.id());
    assertThat(entries.get(2).text("not_after"))
        .isEqualTo(String.valueOf(KeyFile.open(keyFile()).findById(id).notAfter()));
    assertThat(entries.get(4).line()).contains("\"legacy\":true");

    CliRun verify = CliRun.run("audit", "verify", l);
    assertThat(verify.exit()).as(verify.out()).isZero();
    assertThat(verify.out()).startsWith("ok: the chain is intact: 5 entries checked");
    CliRun sweep = CliRun.run("audit", "sweep", l, "--key-id", id, "--json");
    assertThat((List<?>) JSONObjectUtils.parse(sweep.out()).get("entries")).hasSize(4);

    // No key and no hash anywhere but where a new key is handed over (alone on standard output).
    String ledgerText = Files.readString(ledger());
    List<KeyRecord> records = KeyFile.open(keyFile()).records();
    for (KeyRecord r : records) {
      assertThat(ledgerText + verify.out() + sweep.out()).doesNotContain(r.hash().substring(7));
    }
    assertThat(created.out()).isEqualTo(key.value() + "\n");
    LeakCheck.create()
        .apiKey("created", key.value())
        .apiKey("successor", successor.value())
        .secret("legacy secret", secret)
        .text("ledger", ledgerText)
        .text("keys new (stderr and log)", created.err() + created.log())
        .text("keys rotate (stderr and log)", rotated.err() + rotated.log())
        .text("keys revoke", revoked.all())
        .text("keys import-legacy", imported.all())
        .text("keys list", listed.all())
        .text("audit verify", verify.out() + verify.err())
        .text("audit sweep", sweep.out() + sweep.err())
        .assertClean();
  }

  @Test
  void aLedgerTheServiceWroteIsContinued() throws Exception {
    Files.createDirectories(ledger().getParent());
    LedgerScenario.write(ledger());
    KeysCommandTest.Run created = keys(newKey(ledger().toString()));
    assertThat(created.exit()).isZero();
    ApiKey key = ApiKey.parse(created.out().strip());
    List<LedgerEntry> entries = entries();
    assertThat(entries).hasSize(15);
    assertThat(entries.get(14).seq()).isEqualTo(14);
    assertThat(entries.get(14).text("key_id")).isEqualTo(key.id());
    CliRun verify = CliRun.run("audit", "verify", ledger().toString());
    assertThat(verify.exit()).isZero();
    assertThat(verify.out()).startsWith("ok: the chain is intact: 15 entries checked");
  }

  @Test
  void aLedgerThatCannotBeOpenedStopsTheCommandBeforeAnythingChangesButARevocation()
      throws Exception {
    Path missingDir = dir.resolve("no-such-dir").resolve("ledger.jsonl");
    KeysCommandTest.Run noDir = keys(newKey(missingDir.toString()));
    assertThat(noDir.exit()).isEqualTo(1);
    assertThat(noDir.out()).as("no key printed").isEmpty();
    assertThat(noDir.err())
        .isEqualTo(
            "planeguard: the directory of the audit ledger \""
                + missingDir
                + "\" (--ledger) does not exist; create it or correct --ledger; nothing was"
                + " changed\n");
    assertThat(keyFile()).doesNotExist();

    KeysCommandTest.Run fromEnv =
        keys(
            Map.of("PLANEGUARD_AUDIT_LEDGER", missingDir.toString()),
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--file",
            keyFile().toString(),
            "--json");
    assertThat(fromEnv.exit()).isEqualTo(1);
    assertThat(JSONObjectUtils.parse(fromEnv.out()))
        .containsEntry("ok", false)
        .containsEntry("error", "audit ledger unavailable")
        .doesNotContainKey("key");
    assertThat((String) JSONObjectUtils.parse(fromEnv.out()).get("message"))
        .contains("(PLANEGUARD_AUDIT_LEDGER) does not exist");
    assertThat(keyFile()).doesNotExist();

    KeysCommandTest.Run directory = keys(newKey(dir.toString()));
    assertThat(directory.exit()).isEqualTo(1);
    assertThat(directory.err()).contains("is a directory; name the ledger file in it");
    assertThat(keyFile()).doesNotExist();

    // A ledger whose last line is no entry: its chain cannot be continued. A rotation is refused;
    // a revocation goes ahead, and says its entry is missing.
    Files.createDirectories(ledger().getParent());
    KeysCommandTest.Run first =
        keys(
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--file",
            keyFile().toString());
    String id = ApiKey.parse(first.out().strip()).id();
    String keysBefore = Files.readString(keyFile());
    Files.writeString(ledger(), "not a ledger entry\n");
    KeysCommandTest.Run rotate =
        keys("rotate", id, "--file", keyFile().toString(), "--ledger", ledger().toString());
    assertThat(rotate.exit()).isEqualTo(1);
    assertThat(rotate.out()).as("no key printed").isEmpty();
    assertThat(rotate.err())
        .startsWith(
            "planeguard: cannot open the audit ledger \"" + ledger() + "\" (--ledger, IOException")
        .contains("is not a ledger entry")
        .endsWith("); nothing was changed\n");
    assertThat(Files.readString(keyFile())).isEqualTo(keysBefore);

    KeysCommandTest.Run revoke =
        keys("revoke", id, "--file", keyFile().toString(), "--ledger", ledger().toString());
    assertThat(revoke.exit()).isEqualTo(1);
    assertThat(revoke.out()).isEqualTo("revoked " + id + "\n");
    assertThat(revoke.err())
        .startsWith(
            "planeguard: the key is revoked, but its ledger entry was not written: cannot open the"
                + " audit ledger \"")
        .contains("is not a ledger entry");
    assertThat(KeyFile.open(keyFile()).findById(id).status()).isEqualTo(KeyRecord.Status.REVOKED);
    KeysCommandTest.Run revokeJson =
        keys(
            "revoke",
            id,
            "--file",
            keyFile().toString(),
            "--ledger",
            ledger().toString(),
            "--json");
    assertThat(revokeJson.exit()).isEqualTo(1);
    assertThat(JSONObjectUtils.parse(revokeJson.out()))
        .containsEntry("ok", true)
        .containsEntry("status", "revoked")
        .doesNotContainKey("ledger")
        .containsKey("ledgerProblem");
    assertThat(Files.readString(ledger())).isEqualTo("not a ledger entry\n");
  }

  @Test
  void ledgerUsageErrorsExitTwo() {
    assertThat(keys(newKey("")).exit()).isEqualTo(2);
    assertThat(keys("list", "--file", keyFile().toString(), "--ledger", ledger().toString()).exit())
        .as("list changes nothing, so it writes no ledger")
        .isEqualTo(2);
    assertThat(keyFile()).doesNotExist();

    // The ledger logs its path, so a path holding a key is refused before it is opened.
    String key = ApiKey.generate(ApiKey.Kind.MACHINE, dev.planeguard.Mode.PROD).value();
    KeysCommandTest.Run keyInPath =
        keys(newKey(dir.resolve(key).resolve("ledger.jsonl").toString()));
    assertThat(keyInPath.exit()).isEqualTo(2);
    assertThat(keyInPath.err())
        .startsWith(
            "planeguard: --ledger holds something shaped like a key or token; give the ledger's"
                + " plain path");
    KeysCommandTest.Run keyInEnv =
        keys(
            Map.of("PLANEGUARD_AUDIT_LEDGER", dir.resolve(key).toString()),
            "revoke",
            "abc",
            "--file",
            keyFile().toString());
    assertThat(keyInEnv.exit()).isEqualTo(2);
    assertThat(keyInEnv.err()).startsWith("planeguard: PLANEGUARD_AUDIT_LEDGER holds something");
    LeakCheck.create()
        .apiKey("key", key)
        .text("--ledger", keyInPath.all())
        .text("PLANEGUARD_AUDIT_LEDGER", keyInEnv.all())
        .assertClean();
    assertThat(Keys.holdsCredential("/var/lib/app/audit/ledger.jsonl")).isFalse();
    assertThat(Keys.holdsCredential("C:\\audit\\<ledger>.jsonl")).isFalse();
  }
}
