package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.testing.FakeSecrets;
import dev.planeguard.testing.LeakCheck;
import dev.planeguard.testing.OutputCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command, fed secrets in every place it reads them (headers, targets, flags, env files, the
 * process environment, a policy file), prints none of them: not on its own streams, not in library
 * logging on {@code System.err}.
 */
class CliNoSecretInOutputTest {

  @TempDir Path dir;

  @Test
  void noCommandPrintsASecretItWasGiven() throws Exception {
    TierFixtures fixtures = new TierFixtures();
    String key = FakeSecrets.machineKey(Mode.PROD);
    String sandboxKey =
        dev.planeguard.keys.ApiKey.generate(dev.planeguard.keys.ApiKey.Kind.SANDBOX, Mode.LOCAL)
            .value();
    String anthropic = FakeSecrets.anthropicKey();
    String password = FakeSecrets.strong(24);
    String jwt = fakeJwt();
    String basic =
        Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));

    Path policy = dir.resolve("planeguard.policy");
    Files.writeString(
        policy,
        """
        human      /api/v1/accounts/**
        machine    /api/v1/runs/**         methods=GET,POST
        public     /healthz
        """);
    Path badPolicy = dir.resolve("bad.policy");
    Files.writeString(
        badPolicy,
        "debug /__debug/** plane="
            + anthropic
            + "\n"
            + "machine /api/v1/runs/** scopes="
            + key
            + "\n"
            + anthropic
            + " /x\n"
            + "human /api/"
            + key
            + "/**\n"
            + "machine /api/v1/x methods="
            + key
            + "\n");
    Path envFile = dir.resolve("prod.env");
    Files.writeString(
        envFile,
        "AOS_MODE="
            + anthropic
            + "\nDB_AUTHORITY='"
            + key
            + "'\nDB_PASSWORD="
            + password
            + "\nDEV_AUTH_ENABLED="
            + anthropic
            + "\n");
    Path brokenEnv = dir.resolve("broken.env");
    Files.writeString(brokenEnv, "OK=1\n" + anthropic + "\nX=\"" + password + "\n");
    List<Path> dirty = fixtures.copy("dirty", Files.createDirectory(dir.resolve("dirty")));
    List<Path> clean = fixtures.copy("clean", Files.createDirectory(dir.resolve("clean")));

    String p = policy.toString();
    Path ledgerFile = dir.resolve("ledger.jsonl");
    LedgerScenario.decisions(ledgerFile, 3);
    String ledger = ledgerFile.toString();
    List<String[]> commands = new ArrayList<>();
    for (String json : new String[] {"--json", "--no-json"}) {
      List<String[]> these =
          List.of(
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "X-AOS-Key: " + key
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "Authorization: Bearer " + key
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "Authorization: Bearer " + jwt
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "Authorization: Basic " + basic
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/runs/1",
                "--header",
                "X-AOS-Key: " + key
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/runs/1?api_key=" + key
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me?access_token=" + jwt
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/runs/" + key,
                "--header",
                "X-AOS-Key: " + anthropic
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/api/v1/runs/" + anthropic + "%0a"
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "local",
                "--sandbox",
                "--method",
                "GET",
                "--target",
                "/api/v1/accounts/me",
                "--header",
                "X-AOS-Customer-Key: " + sandboxKey
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/healthz",
                "--header",
                "X-AOS-Key: " + key,
                "--header",
                "X-AOS-Key: " + key
              },
              new String[] {
                "decide",
                "--policy",
                p,
                "--mode",
                "prod",
                "--method",
                "GET",
                "--target",
                "/x",
                "--header",
                key + ": v"
              },
              new String[] {
                "decide", "--policy", p, "--mode", anthropic, "--method", "GET", "--target", "/x"
              },
              new String[] {"check-policy", p},
              new String[] {"check-policy", badPolicy.toString()},
              new String[] {"check-env", "--env-file", envFile.toString()},
              new String[] {"check-env", "--env-file", brokenEnv.toString()},
              new String[] {"check-env"},
              new String[] {"check-tiers", "--tier", "worker", envFile.toString()},
              new String[] {"check-tiers", brokenEnv.toString()},
              new String[] {"check-tiers", "--tier", anthropic, envFile.toString()},
              new String[] {"check-secrets", envFile.toString()},
              new String[] {"check-secrets", "--mode", "prod", envFile.toString()},
              new String[] {"check-secrets", brokenEnv.toString()},
              new String[] {"check-secrets", "--mode", anthropic, envFile.toString()},
              new String[] {
                "check-migration", "--jdbc-url", "postgresql://app:" + password + "@127.0.0.1:1/app"
              },
              new String[] {
                "check-migration",
                "--jdbc-url",
                "jdbc:postgresql://127.0.0.1:1/app?user=app&password=" + password
              },
              new String[] {
                "check-migration", "--jdbc-url", "postgresql://app:" + password + "@/app"
              },
              new String[] {"audit", key},
              new String[] {"audit", "verify", dir.resolve(key).toString()},
              new String[] {"audit", "sweep", ledger, "--key-id", key},
              new String[] {"audit", "sweep", dir.resolve(key).toString(), "--key-id", "abc"},
              new String[] {"audit", "sweep", ledger, "--key-id", "abc", "--since", key},
              new String[] {"audit", "usage", ledger, "--by", key},
              new String[] {"audit", "usage", ledger, "--by", "key", "--" + key},
              new String[] {
                "keys",
                "new",
                "--kind",
                "mk",
                "--mode",
                "prod",
                "--tenant",
                "acme",
                "--file",
                dir.resolve("keys.jsonl").toString(),
                "--ledger",
                dir.resolve(key).resolve("ledger.jsonl").toString()
              },
              new String[] {
                "keys",
                "revoke",
                "abc",
                "--file",
                dir.resolve("keys.jsonl").toString(),
                "--ledger",
                dir.resolve(key).toString()
              });
      for (String[] command : these) {
        String[] withFlag = new String[command.length + (json.equals("--json") ? 1 : 0)];
        System.arraycopy(command, 0, withFlag, 0, command.length);
        if (json.equals("--json")) {
          withFlag[command.length] = "--json";
        }
        commands.add(withFlag);
      }
    }
    List<String> tiers = new ArrayList<>(List.of("check-tiers"));
    dirty.forEach(f -> tiers.add(f.toString()));
    clean.forEach(f -> tiers.add(f.toString()));
    commands.add(tiers.toArray(String[]::new));
    tiers.add("--json");
    commands.add(tiers.toArray(String[]::new));
    List<String> secrets = new ArrayList<>(List.of("check-secrets", "--mode", "prod"));
    dirty.forEach(f -> secrets.add(f.toString()));
    clean.forEach(f -> secrets.add(f.toString()));
    commands.add(secrets.toArray(String[]::new));
    secrets.add("--json");
    commands.add(secrets.toArray(String[]::new));

    Map<String, String> processEnv =
        Map.of(
            "AOS_MODE",
            "prod",
            "DB_AUTHORITY",
            "neon",
            "DB_ROLE",
            "prod",
            "RBAC_FAIL_OPEN",
            key,
            "OPENAI_API_KEY",
            anthropic,
            "PLANEGUARD_BYPASS_FLAGS",
            anthropic,
            "PLANEGUARD_JDBC_PASSWORD",
            password);
    List<CliRun> runs = new ArrayList<>();
    OutputCapture output =
        OutputCapture.during(
            () -> {
              for (String[] command : commands) {
                runs.add(CliRun.run(processEnv, command));
              }
            });

    assertThat(runs).extracting(CliRun::exit).contains(0, 1, 2);
    LeakCheck check =
        fixtures
            .leakCheck()
            .apiKey("machine key", key)
            .apiKey("sandbox key", sandboxKey)
            .secret("anthropic key", anthropic.substring("sk-ant-api03-".length()))
            .secret("password", password)
            .wholeValue("basic credentials", basic)
            .jwt("jwt", jwt)
            .output(output);
    for (int i = 0; i < runs.size(); i++) {
      String name = commands.get(i)[0] + " #" + i;
      check.text(name + " stdout", runs.get(i).out()).text(name + " stderr", runs.get(i).err());
    }
    check.assertClean();
  }

  private static String fakeJwt() {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString("{\"sub\":\"u\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + FakeSecrets.strong(86);
  }
}
