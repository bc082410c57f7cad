package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckTiersCommandTest {

  @TempDir Path dir;

  final TierFixtures fixtures = new TierFixtures();

  static String[] args(List<Path> files, String... more) {
    return Stream.concat(
            Stream.of("check-tiers"),
            Stream.concat(files.stream().map(Path::toString), Stream.of(more)))
        .toArray(String[]::new);
  }

  @Test
  void theCleanSixTierLayoutPasses() {
    List<Path> files = fixtures.copy("clean", dir);
    assertThat(files).hasSize(6);
    CliRun r = CliRun.run(args(files));
    assertThat(r.exit()).as(r.out()).isZero();
    assertThat(r.out())
        .isEqualTo("ok: 6 files checked against preset seed; no secret outside its tier\n");
    assertThat(CliRun.run(args(files, "--preset", "seed")).exit()).isZero();
  }

  @Test
  void eachViolationIsNamedWithFileAndLine() {
    List<Path> files = fixtures.copy("dirty", dir);
    CliRun r = CliRun.run(args(files));
    assertThat(r.exit()).isEqualTo(1);
    List<String> located = r.out().lines().filter(l -> !l.startsWith("    fix: ")).toList();
    assertThat(located)
        .containsExactly(
            at(
                "data",
                2,
                "BACKUP_BUCKET_ID",
                "has a value shaped like an AWS access key id; tier data may not hold provider keys (only llm may)",
                "PROVIDER_KEY_VALUE"),
            at(
                "data",
                3,
                "ANTHROPIC_API_KEY",
                "is an external provider key; tier data may not hold provider keys (only llm may)",
                "PROVIDER_KEY_OUTSIDE_TIER"),
            at(
                "api",
                2,
                "SUPABASE_ANON_KEY",
                "has a value shaped like a Google API key; tier api may not hold provider keys (only llm may)",
                "PROVIDER_KEY_VALUE"),
            at(
                "api",
                5,
                "GITHUB_TOKEN",
                "is an external provider key; tier api may not hold provider keys (only llm may)",
                "PROVIDER_KEY_OUTSIDE_TIER"),
            at(
                "worker",
                4,
                "OPENAI_API_KEY",
                "is an external provider key; tier worker may not hold provider keys (only llm may)",
                "PROVIDER_KEY_OUTSIDE_TIER"),
            at(
                "worker",
                5,
                "POSTGRES_PASSWORD",
                "is a secret tier worker may not hold (it belongs to data, api)",
                "SECRET_OUTSIDE_TIER"),
            at(
                "worker",
                6,
                "LOG_FORMAT",
                "has a value shaped like an Anthropic API key; tier worker may not hold provider keys (only llm may)",
                "PROVIDER_KEY_VALUE"),
            at(
                "worker",
                7,
                "CALLBACK_HINT",
                "has a value shaped like a planeguard API key under a name that is not a secret name",
                "PLANEGUARD_KEY_VALUE"),
            at(
                "llm",
                2,
                "TENSORZERO_MODEL",
                "has a value shaped like an OpenAI-style API key under a name that is not a provider key name",
                "PROVIDER_KEY_VALUE"),
            at(
                "llm",
                3,
                "MYSTERY_TOKEN",
                "is a secret tier llm may not hold (no tier declares it)",
                "SECRET_OUTSIDE_TIER"),
            "10 violations in 4 of 4 files (preset seed)");
    assertThat(r.out()).contains("    fix: move it to the env file of data or api\n");
    fixtures.leakCheck().text("stdout", r.out()).text("stderr", r.err()).assertClean();
  }

  private String at(String tier, int line, String name, String message, String kind) {
    return dir.resolve("env.tier-" + tier)
        + ":"
        + line
        + ": "
        + name
        + " "
        + message
        + " ["
        + kind
        + "]";
  }

  @Test
  void jsonNamesFileLineTierNameAndKindButNoValue() throws Exception {
    List<Path> files = fixtures.copy("dirty", dir);
    List<Path> mixed = new ArrayList<>(files);
    mixed.addAll(fixtures.copy("clean", Files.createDirectory(dir.resolve("clean"))));
    CliRun r = CliRun.run(args(mixed, "--json"));
    assertThat(r.exit()).isEqualTo(1);
    Map<String, Object> json = JSONObjectUtils.parse(r.out());
    assertThat(json.get("ok")).isEqualTo(false);
    assertThat(json.get("preset")).isEqualTo("seed");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> perFile = (List<Map<String, Object>>) json.get("files");
    assertThat(perFile).hasSize(10);
    assertThat(perFile.get(2))
        .containsEntry("file", dir.resolve("env.tier-worker").toString())
        .containsEntry("tier", "worker")
        .containsEntry("variables", 6L)
        .containsEntry("violations", 4L);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> violations = (List<Map<String, Object>>) json.get("violations");
    assertThat(violations).hasSize(10);
    assertThat(violations.get(4))
        .containsOnlyKeys("file", "line", "tier", "name", "kind", "message", "fix")
        .containsEntry("file", dir.resolve("env.tier-worker").toString())
        .containsEntry("line", 4L)
        .containsEntry("tier", "worker")
        .containsEntry("name", "OPENAI_API_KEY")
        .containsEntry("kind", "PROVIDER_KEY_OUTSIDE_TIER");
    fixtures.leakCheck().text("stdout", r.out()).assertClean();
  }

  @Test
  void theTierOfAFileComesFromItsNameOrFromTier() throws Exception {
    Path plain = dir.resolve("worker.env");
    Files.writeString(plain, "OPENAI_API_KEY=x\n");
    CliRun unknown = CliRun.run("check-tiers", plain.toString());
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err())
        .contains(
            "cannot tell the tier of "
                + plain
                + " from its name: name it env.tier-<tier> or pass --tier");
    assertThat(CliRun.run("check-tiers", "--tier", "worker", plain.toString()).exit()).isEqualTo(1);
    assertThat(CliRun.run("check-tiers", "--tier", "LLM", plain.toString()).exit()).isZero();

    Path dotted = dir.resolve(".env.tier-LLM.local");
    Files.writeString(dotted, "OPENAI_API_KEY=x\n");
    assertThat(CliRun.run("check-tiers", dotted.toString()).exit()).isZero();
    // --tier wins over the name.
    assertThat(CliRun.run("check-tiers", "--tier", "media", dotted.toString()).exit()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({
    "env.tier-llm, llm",
    ".env.tier-llm, llm",
    "env.tier-llm.example, llm",
    "env.tier-Worker, worker",
    "env.tier-, ",
    "env.llm, ",
    "tier-llm, ",
    "my.env.tier-llm, ",
  })
  void tierFileNames(String name, String tier) {
    assertThat(CheckTiers.tierOf(Path.of("some/dir", name))).isEqualTo(tier);
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    Path gateway = dir.resolve("env.tier-gateway");
    Files.writeString(gateway, "A=1\n");
    CliRun r = CliRun.run("check-tiers", gateway.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains(
            gateway
                + ": unknown tier \"gateway\"; the tiers are data, api, worker, agent, media, llm");
    assertThat(CliRun.run("check-tiers").exit()).isEqualTo(2);
    assertThat(CliRun.run("check-tiers", "--preset", "other", gateway.toString()).err())
        .contains("unknown preset");
    assertThat(CliRun.run("check-tiers", dir.resolve("env.tier-llm").toString()).err())
        .contains("cannot read env file");
    Path broken = dir.resolve("env.tier-api");
    Files.writeString(broken, "OK=1\nSECRET=\"" + fixtures.values.get("@STRONG@") + "\n");
    CliRun b = CliRun.run("check-tiers", broken.toString(), "--json");
    assertThat(b.exit()).isEqualTo(2);
    assertThat(b.out())
        .contains("\"error\":\"usage\"")
        .contains("env.tier-api:2: unterminated quoted value");
    fixtures.leakCheck().text("stdout", b.out()).text("stderr", b.err()).assertClean();
  }

  @Test
  void theUsageListsTheCommand() {
    assertThat(CliRun.run("help").out())
        .contains("check-tiers [--preset seed] [--tier TIER] ENV_FILE... [--json]");
  }
}
