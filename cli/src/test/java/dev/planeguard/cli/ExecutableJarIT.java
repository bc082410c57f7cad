package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built {@code cli/target/planeguard-cli.jar}, run as a separate JVM. */
class ExecutableJarIT {

  record Result(int exit, String out, String err) {}

  static Result java(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("planeguard.cli.jar", "target/planeguard-cli.jar"));
    assertThat(jar).exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("AOS_") || k.startsWith("DB_") || k.contains("SANDBOX"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }

  @Test
  void checkEnvExitsOneAndNamesEveryProblem() throws Exception {
    Result r =
        java(
            Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "local", "CUSTOMER_SANDBOX_ENABLED", "true"),
            "check-env");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("AOS_MODE")
        .contains("DB_AUTHORITY")
        .contains("CUSTOMER_SANDBOX_ENABLED");
    assertThat(java(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon"), "check-env").exit())
        .isZero();
  }

  @Test
  void decideAndCheckPolicyRunFromTheJar(@TempDir Path dir) throws Exception {
    Path policy = dir.resolve("p.policy");
    Files.writeString(policy, "human /api/v1/accounts/**\npublic /healthz\n");
    Result check = java(Map.of(), "check-policy", policy.toString());
    assertThat(check.exit()).isZero();
    assertThat(check.out()).contains("/api/v1/accounts/**");
    Result decide =
        java(
            Map.of(),
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "prod",
            "--method",
            "GET",
            "--target",
            "/api/v1/accounts/me",
            "--header",
            "X-AOS-Key: k");
    assertThat(decide.exit()).isZero();
    assertThat(decide.out()).startsWith("{\"status\":401,\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
    assertThat(java(Map.of(), "decide").exit()).isEqualTo(2);
  }

  @Test
  void checkTiersRunsFromTheJar(@TempDir Path dir) throws Exception {
    TierFixtures fixtures = new TierFixtures();
    List<Path> dirty = fixtures.copy("dirty", Files.createDirectory(dir.resolve("dirty")));
    List<Path> clean = fixtures.copy("clean", Files.createDirectory(dir.resolve("clean")));
    List<String> args = new ArrayList<>(List.of("check-tiers"));
    clean.forEach(f -> args.add(f.toString()));
    assertThat(java(Map.of(), args.toArray(String[]::new)).exit()).isZero();
    dirty.forEach(f -> args.add(f.toString()));
    Result r = java(Map.of(), args.toArray(String[]::new));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("env.tier-worker:4: OPENAI_API_KEY")
        .endsWith("10 violations in 4 of 10 files (preset seed)\n");
    fixtures.leakCheck().text("stdout", r.out()).text("stderr", r.err()).assertClean();
  }

  @Test
  void keysLifecycleFromTheJarPrintsTheKeyOnceAndAuditsOnStandardError(@TempDir Path dir)
      throws Exception {
    Path policy = dir.resolve("p.policy");
    Files.writeString(policy, "machine /api/v1/runs/**\n");
    Path keys = dir.resolve("keys.jsonl");
    Result created =
        java(
            Map.of(),
            "keys",
            "new",
            "--kind",
            "mk",
            "--mode",
            "prod",
            "--tenant",
            "acme",
            "--file",
            keys.toString());
    assertThat(created.exit()).as(created.err()).isZero();
    String key = created.out().strip();
    String id = dev.planeguard.keys.ApiKey.parse(key).id();
    assertThat(created.err())
        .contains("planeguard.audit - event=KEY_CREATED key_id=" + id)
        .doesNotContain(key);
    String[] decide = {
      "decide",
      "--policy",
      policy.toString(),
      "--keys",
      keys.toString(),
      "--mode",
      "prod",
      "--method",
      "GET",
      "--target",
      "/api/v1/runs",
      "--header",
      "X-AOS-Key: " + key
    };
    assertThat(java(Map.of(), decide).out())
        .startsWith("{\"status\":200,\"reason\":\"AUTHENTICATED\"");
    Result revoked = java(Map.of(), "keys", "revoke", id, "--file", keys.toString());
    assertThat(revoked.err()).contains("event=KEY_REVOKED key_id=" + id);
    Result refused = java(Map.of(), decide);
    assertThat(refused.out())
        .startsWith("{\"status\":401,\"reason\":\"REVOKED_KEY\"")
        .doesNotContain(key);
    Result list = java(Map.of(), "keys", "list", "--file", keys.toString());
    assertThat(list.out()).contains(id).contains("revoked").doesNotContain(key);
  }
}
