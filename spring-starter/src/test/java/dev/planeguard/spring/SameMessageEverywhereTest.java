package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.cli.Main;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/**
 * One startup for every adapter: the same mistake gets the same message and the same fix from the
 * Spring Boot starter, from a plain servlet application configured by its environment, and from the
 * command line — only the name of the setting differs, as each user writes it.
 */
class SameMessageEverywhereTest {

  @TempDir static Path dir;
  static Path policy;
  static Path keys;

  @BeforeAll
  static void files() throws Exception {
    policy = dir.resolve("planeguard.policy");
    Files.writeString(policy, "human /api/**\nmachine /runs/**\npublic /healthz\n");
    keys = dir.resolve("keys.jsonl");
    try (KeyFile f = KeyFile.openOrCreate(keys)) {
      f.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL), null, Set.of(), null));
    }
  }

  /** The problems the starter stops with. */
  static List<Problem> starter(Map<String, String> settings) {
    List<String> props = new ArrayList<>();
    settings.forEach((k, v) -> props.add(k + "=" + v));
    List<Problem> problems = new ArrayList<>();
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PlaneGuardAutoConfiguration.class))
        .withPropertyValues(props.toArray(String[]::new))
        .run(
            context -> {
              Throwable t = context.getStartupFailure();
              while (t != null && !(t instanceof ConfigurationException)) {
                t = t.getCause();
              }
              assertThat(t).as("the starter must refuse to start").isNotNull();
              problems.addAll(((ConfigurationException) t).problems());
            });
    return problems;
  }

  /** The problems a servlet application configured by its environment stops with. */
  static List<Problem> servlet(Map<String, String> env) {
    try (PlaneGuard planeguard =
        PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(env).build())) {
      throw new AssertionError("the servlet application must refuse to start: " + planeguard);
    } catch (ConfigurationException e) {
      return e.problems();
    }
  }

  record Run(int exit, String out, String err) {}

  static Run cli(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        Main.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The violations {@code check-env --json} reports. */
  @SuppressWarnings("unchecked")
  static List<Problem> checkEnv(Map<String, String> env) throws Exception {
    Run run = cli(env, "check-env", "--json");
    assertThat(run.exit()).as(run.out()).isEqualTo(1);
    List<Problem> problems = new ArrayList<>();
    for (Object o : (List<Object>) JSONObjectUtils.parse(run.out()).get("violations")) {
      Map<String, Object> m = (Map<String, Object>) o;
      problems.add(
          new Problem((String) m.get("subject"), (String) m.get("message"), (String) m.get("fix")));
    }
    return problems;
  }

  static Problem only(List<Problem> problems, String subject) {
    return problems.stream()
        .filter(p -> p.subject().equals(subject))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no problem about " + subject + " in " + problems));
  }

  @Test
  void aJwksLocationThatIsNeitherAPathNorAFileUriNorAnHttpUrl() {
    String jwks = "ftp://keys.example.com/jwks.json";
    Problem starter =
        only(
            starter(
                Map.of(
                    "AOS_MODE",
                    "local",
                    "DB_AUTHORITY",
                    "local",
                    "planeguard.policy-location",
                    policy.toUri().toString(),
                    "planeguard.human.issuer",
                    "https://issuer.example.com",
                    "planeguard.human.jwks-uri",
                    jwks,
                    "planeguard.machine.keys-file",
                    keys.toString())),
            "planeguard.human.jwks-uri");
    Problem servlet =
        only(
            servlet(
                Map.of(
                    "AOS_MODE",
                    "local",
                    "DB_AUTHORITY",
                    "local",
                    "PLANEGUARD_POLICY_LOCATION",
                    policy.toString(),
                    "PLANEGUARD_HUMAN_ISSUER",
                    "https://issuer.example.com",
                    "PLANEGUARD_HUMAN_JWKS_URI",
                    jwks,
                    "PLANEGUARD_MACHINE_KEYS_FILE",
                    keys.toString())),
            "PLANEGUARD_HUMAN_JWKS_URI");
    Run cli =
        cli(
            Map.of(),
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "local",
            "--method",
            "GET",
            "--target",
            "/healthz",
            "--issuer",
            "https://issuer.example.com",
            "--jwks",
            jwks);

    assertThat(starter.message())
        .isEqualTo(
            "the JWKS location \""
                + jwks
                + "\" is neither a file path, a file: URI nor an"
                + " http(s): URL");
    assertThat(servlet.message()).isEqualTo(starter.message());
    assertThat(servlet.fix()).isEqualTo(starter.fix());
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err())
        .contains(new Problem("--jwks", starter.message(), starter.fix()).toString());
  }

  @Test
  void aCryptoSettingThatIsNeitherJdkNorNative() throws Exception {
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, "{\"keys\":[]}");
    Problem starter =
        only(
            starter(
                Map.of(
                    "AOS_MODE", "local",
                    "DB_AUTHORITY", "local",
                    "planeguard.policy-location", policy.toUri().toString(),
                    "planeguard.human.issuer", "https://issuer.example.com",
                    "planeguard.human.jwks-uri", jwks.toString(),
                    "planeguard.human.audiences", "api",
                    "planeguard.human.crypto", "boringssl",
                    "planeguard.machine.keys-file", keys.toString())),
            "planeguard.human.crypto");
    Problem servlet =
        only(
            servlet(
                Map.of(
                    "AOS_MODE", "local",
                    "DB_AUTHORITY", "local",
                    "PLANEGUARD_POLICY_LOCATION", policy.toString(),
                    "PLANEGUARD_HUMAN_ISSUER", "https://issuer.example.com",
                    "PLANEGUARD_HUMAN_JWKS_URI", jwks.toString(),
                    "PLANEGUARD_HUMAN_AUDIENCES", "api",
                    "PLANEGUARD_HUMAN_CRYPTO", "boringssl",
                    "PLANEGUARD_MACHINE_KEYS_FILE", keys.toString())),
            "PLANEGUARD_HUMAN_CRYPTO");
    Run cli =
        cli(
            Map.of(),
            "decide",
            "--policy",
            policy.toString(),
            "--mode",
            "local",
            "--method",
            "GET",
            "--target",
            "/healthz",
            "--issuer",
            "https://issuer.example.com",
            "--jwks",
            jwks.toString(),
            "--crypto",
            "boringssl");
    assertThat(starter.message()).isEqualTo("must be jdk or native, not \"boringssl\"");
    assertThat(servlet.message()).isEqualTo(starter.message());
    assertThat(servlet.fix())
        .isEqualTo(starter.fix().replace("planeguard.human.crypto", "PLANEGUARD_HUMAN_CRYPTO"));
    assertThat(cli.exit()).isEqualTo(2);
    assertThat(cli.err())
        .contains(
            new Problem(
                    "--crypto",
                    starter.message(),
                    starter.fix().replace("planeguard.human.crypto", "--crypto"))
                .toString());
  }

  @Test
  void aTierThatDoesNotExist() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "local");
    env.put("DB_AUTHORITY", "local");
    env.put("PLANEGUARD_TIER", "nosuchtier");
    Map<String, String> props = new HashMap<>(env);
    props.put("planeguard.policy-location", policy.toUri().toString());
    Problem starter = only(starter(props), "PLANEGUARD_TIER");
    env.put("PLANEGUARD_POLICY_LOCATION", policy.toString());
    Problem servlet = only(servlet(env), "PLANEGUARD_TIER");
    Problem cli = only(checkEnv(env), "PLANEGUARD_TIER");
    assertThat(servlet).isEqualTo(starter);
    assertThat(cli).isEqualTo(starter);
    assertThat(starter.message()).isEqualTo("names no tier: \"nosuchtier\"");
  }

  @Test
  void rateLimitVariablesThatDoNotParse() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "local");
    env.put("DB_AUTHORITY", "local");
    env.put("RATE_LIMIT_ENABLED", "yes");
    env.put("RATE_LIMIT_DEFAULT_RPM", "lots");
    env.put("DEFAULT_TENANT_RATE_LIMIT", "100/1w");
    env.put("DEFAULT_TENANT_BUDGET_CENTS", "-5");
    Map<String, String> props = new HashMap<>(env);
    props.put("planeguard.policy-location", policy.toUri().toString());
    List<Problem> starter = starter(props);
    List<Problem> fromEnv = checkEnv(env);
    env.put("PLANEGUARD_POLICY_LOCATION", policy.toString());
    List<Problem> servlet = servlet(env);
    for (String variable :
        List.of(
            "RATE_LIMIT_ENABLED",
            "RATE_LIMIT_DEFAULT_RPM",
            "DEFAULT_TENANT_RATE_LIMIT",
            "DEFAULT_TENANT_BUDGET_CENTS")) {
      Problem p = only(starter, variable);
      assertThat(only(servlet, variable)).isEqualTo(p);
      assertThat(only(fromEnv, variable)).isEqualTo(p);
    }
    assertThat(only(starter, "RATE_LIMIT_DEFAULT_RPM"))
        .isEqualTo(
            new Problem(
                "RATE_LIMIT_DEFAULT_RPM",
                "must be a whole number from 1 to 1000000000, not \"lots\"",
                "write requests per minute, such as 600, or unset it"));
    assertThat(only(starter, "DEFAULT_TENANT_RATE_LIMIT").fix())
        .isEqualTo(
            "write requests per minute (6000) or requests/period (6000/1m, 100/s, 50000/1d)");
    // The property beats its variable, and is named as the property.
    props.put("planeguard.rate-limit.default-rpm", "0");
    assertThat(only(starter(props), "planeguard.rate-limit.default-rpm").message())
        .isEqualTo("must be a whole number from 1 to 1000000000, not \"0\"");
  }

  @Test
  void anInvalidContract() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "prod");
    env.put("DB_AUTHORITY", "local");
    env.put("CUSTOMER_SANDBOX_ENABLED", "true");
    env.put("JWT_VERIFY_SIGNATURE", "false");
    Map<String, String> props = new HashMap<>(env);
    props.put("planeguard.policy-location", policy.toUri().toString());
    List<Problem> fromEnv = checkEnv(env);
    assertThat(fromEnv).hasSizeGreaterThanOrEqualTo(3);
    List<Problem> starter = starter(props);
    env.put("PLANEGUARD_POLICY_LOCATION", policy.toString());
    List<Problem> servlet = servlet(env);
    assertThat(starter).containsAll(fromEnv);
    assertThat(servlet).containsAll(fromEnv);
  }
}
