package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key age: records carry their creation time, and keys older than the rotation period are a startup
 * warning naming their ids (and nothing else of them).
 */
class PlaneGuardKeyAgeTest {

  @TempDir Path dir;
  Path machineFile;
  ApiKey old;
  ApiKey young;
  ApiKey ageless;
  ApiKey oldRevoked;

  @BeforeEach
  void keyFile() throws Exception {
    machineFile = dir.resolve("machine.jsonl");
    Instant now = Instant.now();
    old = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    young = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    ageless = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    oldRevoked = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(machineFile)) {
      f.add(KeyRecord.of(old, null, Set.of(), null).withCreated(now.minus(Duration.ofDays(91))));
      f.add(KeyRecord.of(young, null, Set.of(), null).withCreated(now.minus(Duration.ofDays(10))));
      f.add(KeyRecord.of(ageless, null, Set.of(), null));
      f.add(
          KeyRecord.of(oldRevoked, null, Set.of(), null)
              .withCreated(now.minus(Duration.ofDays(400)))
              .revoked());
    }
    Files.writeString(dir.resolve("planeguard.policy"), PlaneGuardTest.POLICY);
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "local");
    env.put("DB_AUTHORITY", "local");
    env.put("PLANEGUARD_POLICY_LOCATION", dir.resolve("planeguard.policy").toString());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", machineFile.toString());
    return env;
  }

  String startupLog(Map<String, String> env) {
    return AuditLogTest.captureStderr(
        () -> {
          try (PlaneGuard planeguard =
              PlaneGuard.assemble(
                  PlaneGuardSettings.fromEnvironment(env)
                      .tokenVerifier(
                          token -> Verification.rejected(Reason.INVALID_TOKEN, Detail.MALFORMED))
                      .recordKeyUsage(false)
                      .build())) {
            assertThat(planeguard.enforcer()).isNotNull();
          }
        });
  }

  static List<String> lines(String log, String containing) {
    return log.lines().filter(l -> l.contains(containing)).toList();
  }

  @Test
  void keysOlderThanNinetyDaysAreOneStartupWarningByIdOnly() {
    String log = startupLog(env());
    assertThat(lines(log, "rotation period"))
        .containsExactly(
            "[main] WARN planeguard - planeguard: 1 key is older than the rotation period (90d): "
                + old.id()
                + "; rotate them (planeguard keys rotate ID)");
    assertThat(lines(log, "age of"))
        .containsExactly(
            "[main] INFO planeguard - planeguard: the age of 1 key is unknown (no creation time in"
                + " the key store); rotating gives each successor one");
    for (ApiKey k : List.of(old, young, ageless, oldRevoked)) {
      assertThat(log).doesNotContain(k.value()).doesNotContain(k.hash());
    }
  }

  @Test
  void theRotationPeriodIsASetting() {
    Map<String, String> env = env();
    env.put("PLANEGUARD_KEYS_ROTATION_PERIOD", "7d");
    assertThat(lines(startupLog(env), "rotation period"))
        .containsExactly(
            "[main] WARN planeguard - planeguard: 2 keys are older than the rotation period (7d): "
                + old.id()
                + ", "
                + young.id()
                + "; rotate them (planeguard keys rotate ID)");
    env.put("PLANEGUARD_KEYS_ROTATION_PERIOD", "3000h");
    assertThat(lines(startupLog(env), "rotation period")).isEmpty();
  }

  @Test
  void aRotationPeriodThatIsNotOneStopsStartup() {
    Map<String, String> env = env();
    env.put("PLANEGUARD_KEYS_ROTATION_PERIOD", "90 days");
    assertThatThrownBy(
            () -> PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(env).build()).close())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        new Problem(
                            "PLANEGUARD_KEYS_ROTATION_PERIOD",
                            "\"90 days\" is not a rotation period",
                            "write a whole number of days or hours, such as 90d or 720h")));
    assertThatThrownBy(
            () ->
                PlaneGuard.assemble(
                        PlaneGuardSettings.fromEnvironment(env())
                            .keysRotationPeriod(Duration.ZERO)
                            .build())
                    .close())
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        new Problem(
                            "PLANEGUARD_KEYS_ROTATION_PERIOD",
                            "must be positive",
                            "set it to how old a key may grow before it is rotated, such as"
                                + " 90d")));
  }

  @Test
  void rotationIsDueForUsableKeysOfKnownAge() {
    Instant now = Instant.parse("2026-12-06T12:00:00Z");
    Duration period = KeyLifecycle.DEFAULT_ROTATION_PERIOD;
    KeyRecord r = KeyRecord.of(old, null, Set.of(), null);
    assertThat(r.rotationDueAt(now, period)).as("age unknown").isFalse();
    assertThat(r.withCreated(now.minus(period).plusSeconds(1)).rotationDueAt(now, period))
        .isFalse();
    assertThat(r.withCreated(now.minus(period)).rotationDueAt(now, period)).isTrue();
    assertThat(r.withCreated(now.minus(period)).revoked().rotationDueAt(now, period))
        .as("revoked")
        .isFalse();
    assertThat(
            r.withCreated(now.minus(period))
                .withNotAfter(now.minusSeconds(1))
                .rotationDueAt(now, period))
        .as("expired")
        .isFalse();
  }

  @Test
  void createdIsWrittenByTheLifecycleAndOptionalInTheKeyFile() throws Exception {
    Instant now = Instant.parse("2026-12-06T12:00:00.123456789Z");
    Path file = dir.resolve("lifecycle.jsonl");
    try (KeyFile f = KeyFile.openOrCreate(file)) {
      KeyLifecycle keys = KeyLifecycle.of(f, Clock.fixed(now, ZoneOffset.UTC));
      KeyLifecycle.Issued issued =
          keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), null);
      Instant stored = Instant.parse("2026-12-06T12:00:00Z");
      assertThat(issued.record().created()).isEqualTo(stored);
      KeyLifecycle.Issued successor = keys.rotate(issued.record().id(), Duration.ofHours(1));
      assertThat(successor.record().created()).isEqualTo(stored);
      assertThat(successor.predecessor().created())
          .as("the old key keeps its age")
          .isEqualTo(stored);
      KeyRecord legacy =
          keys.importLegacy(
              "legacy-one",
              "L".repeat(10) + ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).id() + "xyz",
              ApiKey.Kind.MACHINE,
              Mode.PROD,
              null,
              Set.of(),
              null);
      assertThat(legacy.created()).isEqualTo(stored);
    }
    assertThat(Files.readAllLines(file))
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).endsWith(",\"created\":\"2026-12-06T12:00:00Z\"}"));
    KeyRecord parsed = KeyRecord.parseJsonLine(Files.readAllLines(file).get(0));
    assertThat(parsed.created()).isEqualTo(Instant.parse("2026-12-06T12:00:00Z"));

    String withoutCreated = KeyRecord.of(young, null, Set.of(), null).toJsonLine();
    assertThat(withoutCreated).doesNotContain("created");
    assertThat(KeyRecord.parseJsonLine(withoutCreated).created()).isNull();
    assertThatThrownBy(
            () ->
                KeyRecord.parseJsonLine(withoutCreated.replace("}", ",\"created\":\"yesterday\"}")))
        .hasMessage("created must be an ISO-8601 instant");
  }
}
