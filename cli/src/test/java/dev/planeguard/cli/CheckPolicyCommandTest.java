package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SuppressWarnings("unchecked")
class CheckPolicyCommandTest {

  @Test
  void printsTheRouteTableSortedByPattern(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.policy");
    Files.writeString(
        file,
        """
        public  /healthz
        machine /api/v1/runs/** scopes=runs:write methods=POST,PUT
        human   /api/v1/accounts/**
        debug   /__debug/** plane=human
        """);
    CliRun r = CliRun.run("check-policy", file.toString());
    assertThat(r.exit()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0))
        .startsWith("PATTERN")
        .contains("ACCESS")
        .contains("PLANE")
        .contains("METHODS")
        .contains("SCOPES");
    assertThat(lines.get(1))
        .startsWith("/__debug/**")
        .contains("debug")
        .contains("human")
        .contains(file + ":4");
    assertThat(lines.get(2)).startsWith("/api/v1/accounts/**");
    assertThat(lines.get(3))
        .startsWith("/api/v1/runs/**")
        .contains("POST,PUT")
        .contains("runs:write");
    assertThat(lines.get(4)).startsWith("/healthz").contains("public");
    assertThat(lines.get(5)).contains("4 rules");
  }

  @Test
  void carveOutsAreListedWithTheRuleTheyOpen(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.policy");
    Files.writeString(
        file,
        """
        human   /api/**
        public  /api/health  methods=GET  carve-out=yes
        public  /healthz
        """);
    CliRun r = CliRun.run("check-policy", file.toString());
    assertThat(r.exit()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines.get(0)).startsWith("PATTERN");
    assertThat(lines.get(4)).isEmpty();
    assertThat(lines.get(5))
        .isEqualTo("1 carve-out(s): public routes inside protected rules, marked carve-out=yes");
    assertThat(lines.get(6).split("\\s+"))
        .containsExactly("CARVE-OUT", "METHODS", "ORIGIN", "INSIDE", "ORIGIN");
    assertThat(lines.get(7).split("\\s+"))
        .containsExactly("/api/health", "GET,HEAD", file + ":2", "human", "/api/**", file + ":1");
    assertThat(lines.get(8)).isEqualTo("ok: 3 rules; anything else is denied");

    Map<String, Object> json =
        JSONObjectUtils.parse(CliRun.run("check-policy", file.toString(), "--json").out());
    List<Map<String, Object>> rules = (List<Map<String, Object>>) json.get("rules");
    assertThat(rules)
        .filteredOn(m -> m.get("pattern").equals("/api/health"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.get("carveOut")).isEqualTo(true);
              assertThat(m.get("carvedFrom"))
                  .isEqualTo(Map.of("rule", "human /api/**", "origin", file + ":1"));
            });
    assertThat(rules)
        .filteredOn(m -> m.get("pattern").equals("/healthz"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.get("carveOut")).isEqualTo(false);
              assertThat(m).doesNotContainKey("carvedFrom");
            });
  }

  @Test
  void anUnmarkedHoleExitsOneNamingBothLines(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.policy");
    Files.writeString(file, "human   /api/**\npublic  /api/health\n");
    CliRun r = CliRun.run("check-policy", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains(
            "- " + file + ":2: public /api/health opens a hole in " + file + ":1 (human /api/**)")
        .contains("fix: if the hole is intended, mark the rule as a carve-out (carve-out=yes");
  }

  @Test
  void invalidPoliciesExitOneWithEveryProblem(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.policy");
    Files.writeString(file, "database /migrate\nhuman /a/**/b\n");
    CliRun r = CliRun.run("check-policy", file.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).contains("bad.policy:1").contains("bad.policy:2").contains("fix:");
    CliRun json = CliRun.run("check-policy", file.toString(), "--json");
    assertThat(json.exit()).isEqualTo(1);
    Map<String, Object> parsed = JSONObjectUtils.parse(json.out());
    assertThat(parsed.get("ok")).isEqualTo(false);
    assertThat((List<?>) parsed.get("problems")).hasSize(2);
  }

  @Test
  void jsonListsEachRule(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.policy");
    Files.writeString(file, "machine /api/v1/runs/** scopes=runs:write methods=POST,PUT\n");
    CliRun r = CliRun.run("check-policy", "--json", file.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .contains("\"pattern\":\"/api/v1/runs/**\"")
        .contains("\"plane\":\"machine\"")
        .contains("\"methods\":[\"POST\",\"PUT\"]")
        .contains("\"scopes\":[\"runs:write\"]");
  }

  @Test
  void usage() {
    assertThat(CliRun.run("check-policy").exit()).isEqualTo(2);
    assertThat(CliRun.run("check-policy", "a", "b").exit()).isEqualTo(2);
    assertThat(CliRun.run().exit()).isEqualTo(2);
    assertThat(CliRun.run("frobnicate").exit()).isEqualTo(2);
    CliRun help = CliRun.run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out()).contains("check-env").contains("check-policy").contains("decide");
  }
}
