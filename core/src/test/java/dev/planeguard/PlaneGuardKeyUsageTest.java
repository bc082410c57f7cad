package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PlaneGuard#assemble} records key usage by default for stores that can record it, writes it
 * when closed, never while deciding, and can be told not to.
 */
class PlaneGuardKeyUsageTest {

  @TempDir Path dir;
  Path machineFile;
  Path sandboxFile;
  ApiKey machineKey;
  ApiKey sandboxKey;

  @BeforeEach
  void keyFiles() throws Exception {
    machineFile = dir.resolve("machine.jsonl");
    sandboxFile = dir.resolve("sandbox.jsonl");
    machineKey = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    sandboxKey = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(machineFile)) {
      f.add(KeyRecord.of(machineKey, null, Set.of(), null));
    }
    try (KeyFile f = KeyFile.openOrCreate(sandboxFile)) {
      f.add(KeyRecord.of(sandboxKey, null, Set.of(), null));
    }
    Files.writeString(dir.resolve("planeguard.policy"), PlaneGuardTest.POLICY);
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "local");
    env.put("DB_AUTHORITY", "local");
    env.put("CUSTOMER_SANDBOX_ENABLED", "true");
    env.put("PLANEGUARD_POLICY_LOCATION", dir.resolve("planeguard.policy").toString());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", machineFile.toString());
    env.put("PLANEGUARD_SANDBOX_KEYS_FILE", sandboxFile.toString());
    return env;
  }

  PlaneGuardSettings.Builder settings(Map<String, String> env) {
    return PlaneGuardSettings.fromEnvironment(env)
        .tokenVerifier(token -> Verification.rejected(Reason.INVALID_TOKEN, Detail.MALFORMED));
  }

  void useBothKeys(PlaneGuard planeguard) {
    Decision machine =
        planeguard
            .enforcer()
            .decide(
                InboundRequest.of(
                    "POST", "/api/v1/runs", Map.of("X-AOS-Key", List.of(machineKey.value()))));
    Decision sandbox =
        planeguard
            .enforcer()
            .decide(
                InboundRequest.of(
                    "GET",
                    "/api/v1/accounts/me",
                    Map.of("X-AOS-Customer-Key", List.of(sandboxKey.value()))));
    assertThat(machine.allowed()).isTrue();
    assertThat(sandbox.allowed()).isTrue();
  }

  Path usageFile(Path keyFile) {
    return keyFile.resolveSibling(keyFile.getFileName() + ".usage");
  }

  @Test
  void usesAreRecordedByDefaultAndWrittenWhenClosedNotWhileDeciding() {
    try (PlaneGuard planeguard = PlaneGuard.assemble(settings(env()).build())) {
      useBothKeys(planeguard);
      assertThat(usageFile(machineFile)).as("nothing written while deciding").doesNotExist();
      assertThat(usageFile(sandboxFile)).doesNotExist();
    }
    Map<String, KeyUsage> machine = KeyFile.open(machineFile).usage();
    assertThat(machine).containsOnlyKeys(machineKey.id());
    assertThat(machine.get(machineKey.id()).firstUsed()).isNotNull();
    assertThat(KeyFile.open(sandboxFile).usage()).containsOnlyKeys(sandboxKey.id());
  }

  @Test
  void recordingCanBeTurnedOff() {
    try (PlaneGuard planeguard =
        PlaneGuard.assemble(settings(env()).recordKeyUsage(false).build())) {
      useBothKeys(planeguard);
    }
    Map<String, String> env = env();
    env.put("PLANEGUARD_RECORD_KEY_USAGE", "false");
    try (PlaneGuard planeguard = PlaneGuard.assemble(settings(env).build())) {
      useBothKeys(planeguard);
    }
    assertThat(usageFile(machineFile)).doesNotExist();
    assertThat(usageFile(sandboxFile)).doesNotExist();
  }

  @Test
  void aValueOtherThanTrueOrFalseIsAProblem() {
    Map<String, String> env = env();
    env.put("PLANEGUARD_RECORD_KEY_USAGE", "sometimes");
    assertThat(PlaneGuardTest.problems(settings(env).build()))
        .containsExactly(
            new Problem(
                "PLANEGUARD_RECORD_KEY_USAGE",
                "must be true or false, not \"sometimes\"",
                "set PLANEGUARD_RECORD_KEY_USAGE to true or false, or unset it (key usage is"
                    + " recorded by default)"));
  }

  @Test
  void theAuditLedgerVariablesAreJudgedTheSameWayWithEveryProblemListed() {
    Map<String, String> env = env();
    env.put("PLANEGUARD_AUDIT_LEDGER", "/tmp/never-opened/ledger.jsonl");
    env.put("PLANEGUARD_AUDIT_ROTATE_DAILY", "daily");
    env.put("PLANEGUARD_AUDIT_FLUSH_INTERVAL", "200");
    env.put("PLANEGUARD_AUDIT_QUEUE_CAPACITY", "lots");
    assertThat(PlaneGuardTest.problems(settings(env).build()))
        .containsExactlyInAnyOrder(
            new Problem(
                "PLANEGUARD_AUDIT_ROTATE_DAILY",
                "must be true or false, not \"daily\"",
                "set PLANEGUARD_AUDIT_ROTATE_DAILY to true or false, or unset it (each UTC day"
                    + " starts a new file by default)"),
            new Problem(
                "PLANEGUARD_AUDIT_FLUSH_INTERVAL",
                "\"200\" is not a duration",
                "write a whole number with ms, s, m or h, such as 200ms or 2s"),
            new Problem(
                "PLANEGUARD_AUDIT_QUEUE_CAPACITY",
                "\"lots\" is not a whole number",
                "write digits only, such as 100000"));
  }
}
