package dev.planeguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One startup for every adapter: settings in, an enforcer or every problem out. */
class PlaneGuardTest {

  @TempDir Path dir;

  static final String POLICY =
      """
      human    /api/v1/accounts/**
      machine  /api/v1/runs/**
      public   /healthz
      """;

  Map<String, String> env(String mode) {
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", mode);
    env.put("DB_AUTHORITY", mode.equals("local") ? "local" : "neon");
    return env;
  }

  Path policyFile() throws Exception {
    Path file = dir.resolve("planeguard.policy");
    Files.writeString(file, POLICY);
    return file;
  }

  Path keyFile(Mode mode) {
    Path file = dir.resolve("keys.jsonl");
    try (KeyFile keys = KeyFile.openOrCreate(file)) {
      keys.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, mode), null, Set.of(), null));
    }
    return file;
  }

  static List<Problem> problems(PlaneGuardSettings settings) {
    ConfigurationException e =
        catchThrowableOfType(ConfigurationException.class, () -> PlaneGuard.assemble(settings));
    assertThat(e).as("assembly must fail").isNotNull();
    return e.problems();
  }

  // ---- the JWKS location: one parser ----

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://issuer.example.com/.well-known/jwks.json",
        "http://127.0.0.1:8080/jwks",
        "file:/etc/planeguard/jwks.json",
        "/etc/planeguard/jwks.json",
        "jwks.json",
        "keys/jwks.json",
        "C:\\planeguard\\jwks.json",
        "C:/planeguard/jwks.json"
      })
  void aJwksLocationIsAPathAFileUriOrAnHttpUrl(String location) {
    List<Problem> problems = new ArrayList<>();
    URI uri = PlaneGuard.jwksLocation(location, "jwks", problems);
    assertThat(problems).isEmpty();
    assertThat(uri).isNotNull();
    assertThat(uri.getScheme()).isIn("https", "http", "file");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://keys.example.com/jwks.json",
        "mailto:keys@example.com",
        "https:jwks",
        "ldap://x",
        "   "
      })
  void anythingElseIsRefusedWithTheSameMessageEverywhere(String location) {
    List<Problem> problems = new ArrayList<>();
    assertThat(PlaneGuard.jwksLocation(location, "jwks", problems)).isNull();
    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("jwks");
              assertThat(p.fix())
                  .isEqualTo(
                      location.isBlank()
                          ? "give a path, a file: URI or an https: URL"
                          : "give a path such as /etc/planeguard/jwks.json, a file: URI or an https: URL");
            });
  }

  @Test
  void problemsNameTheSettingAsTheAdaptersUserKnowsIt() throws Exception {
    String policy = policyFile().toString();
    for (PlaneGuardSettings.Naming naming : PlaneGuardSettings.Naming.values()) {
      PlaneGuardSettings settings =
          PlaneGuardSettings.builder()
              .naming(naming)
              .environment(env("local"))
              .policyLocation(policy, null, false)
              .issuer(PlaneGuardSettings.Issuer.of("https://a.example").withJwks("ftp://x/jwks"))
              .issuer(PlaneGuardSettings.Issuer.of("https://b.example").withJwks("ldap://y"))
              .machineKeysFile(keyFile(Mode.LOCAL))
              .build();
      List<Problem> problems = problems(settings);
      assertThat(problems)
          .extracting(Problem::subject)
          .containsExactly(
              switch (naming) {
                case PROPERTIES ->
                    new String[] {
                      "planeguard.human.jwks-uri", "planeguard.human.additional-issuers[0].jwks-uri"
                    };
                case ENVIRONMENT ->
                    new String[] {
                      "PLANEGUARD_HUMAN_JWKS_URI", "PLANEGUARD_HUMAN_ADDITIONALISSUERS_0_JWKS_URI"
                    };
                case COMMAND_LINE -> new String[] {"--jwks", "--jwks (issuer 2)"};
              });
      assertThat(problems.get(0).message())
          .isEqualTo(
              "the JWKS location \"ftp://x/jwks\" is neither a file path, a file: URI nor an"
                  + " http(s): URL");
    }
  }

  @Test
  void issuerModesAreReadCheckedAndNamedAsTheAdaptersUserKnowsThem() throws Exception {
    String policy = policyFile().toString();
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    String jwks = dir.resolve("jwks.json").toString();
    for (PlaneGuardSettings.Naming naming : PlaneGuardSettings.Naming.values()) {
      PlaneGuardSettings settings =
          PlaneGuardSettings.builder()
              .naming(naming)
              .environment(env("prod"))
              .policyLocation(policy, null, false)
              .issuer(
                  PlaneGuardSettings.Issuer.of("https://a.example")
                      .withJwks(jwks)
                      .withAudiences(List.of("api"))
                      .withModes(List.of("test", "LOCAL")))
              .issuer(
                  PlaneGuardSettings.Issuer.of("https://b.example")
                      .withJwks(jwks)
                      .withAudiences(List.of("api"))
                      .withModes(List.of("prod", "staging")))
              .machineKeysFile(keyFile(Mode.PROD))
              .build();
      List<Problem> problems = problems(settings);
      String[] subjects =
          switch (naming) {
            case PROPERTIES ->
                new String[] {
                  "planeguard.human.modes", "planeguard.human.additional-issuers[0].modes"
                };
            case ENVIRONMENT ->
                new String[] {
                  "PLANEGUARD_HUMAN_MODES", "PLANEGUARD_HUMAN_ADDITIONALISSUERS_0_MODES"
                };
            case COMMAND_LINE -> new String[] {"--issuer-modes", "--issuer-modes (issuer 2)"};
          };
      assertThat(problems).extracting(Problem::subject).containsExactly(subjects);
      assertThat(problems.get(0).message())
          .isEqualTo(
              "limits the issuer \"https://a.example\" to local, test, which AOS_MODE=prod does not"
                  + " allow (a development or test identity provider has no place here)");
      assertThat(problems.get(0).fix())
          .isEqualTo(
              "remove the issuer from this deployment's configuration, or, if it really serves"
                  + " prod, add prod to "
                  + subjects[0]);
      assertThat(problems.get(1).message()).isEqualTo("has unknown mode \"staging\"");
    }
  }

  @Test
  void aConfigurationWhoseIssuersAreAllForOtherModesSaysSo() throws Exception {
    Map<String, String> env = env("local");
    env.put("PLANEGUARD_POLICY_LOCATION", policyFile().toString());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", keyFile(Mode.LOCAL).toString());
    env.put("PLANEGUARD_HUMAN_ISSUER", "https://issuer.example.com");
    env.put("PLANEGUARD_HUMAN_JWKS_URI", dir.resolve("jwks.json").toString());
    env.put("PLANEGUARD_HUMAN_MODES", "test");
    env.put("PLANEGUARD_HUMAN_AUDIENCES", "api");
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    dev.planeguard.testing.OutputCapture log =
        dev.planeguard.testing.OutputCapture.during(
            () -> PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(env).build()).close());
    assertThat(log.err())
        .contains(
            "WARN planeguard - planeguard: PLANEGUARD_HUMAN_MODES allows no human issuer in"
                + " AOS_MODE=local: every configured issuer is limited to other modes, so every"
                + " token is refused (WRONG_ISSUER)");
  }

  @Test
  void fromTheEnvironmentAnIssuerLimitedToModes() throws Exception {
    Map<String, String> env = env("test");
    env.put("PLANEGUARD_POLICY_LOCATION", policyFile().toString());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", keyFile(Mode.TEST).toString());
    env.put("PLANEGUARD_HUMAN_ISSUER", "https://issuer.example.com");
    env.put("PLANEGUARD_HUMAN_JWKS_URI", dir.resolve("jwks.json").toString());
    env.put("PLANEGUARD_HUMAN_MODES", "test, local");
    env.put("PLANEGUARD_HUMAN_AUDIENCES", "api");
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    try (PlaneGuard planeguard =
        PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(env).build())) {
      assertThat(planeguard.jwtVerifier().issuers())
          .singleElement()
          .satisfies(i -> assertThat(i.modes()).containsExactly(Mode.LOCAL, Mode.TEST));
    }
    env.putAll(env("preprod"));
    assertThat(problems(PlaneGuardSettings.fromEnvironment(env).build()))
        .extracting(Problem::subject)
        .contains("PLANEGUARD_HUMAN_MODES");
  }

  // ---- from the environment, as a plain servlet application starts ----

  @Test
  void fromTheEnvironmentAnEnforcerThatDecides() throws Exception {
    Map<String, String> env = env("local");
    env.put("PLANEGUARD_POLICY_LOCATION", policyFile().toString());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", keyFile(Mode.LOCAL).toString());
    env.put("PLANEGUARD_HUMAN_ISSUER", "https://issuer.example.com");
    env.put("PLANEGUARD_HUMAN_JWKS_URI", dir.resolve("jwks.json").toString());
    env.put("PLANEGUARD_HUMAN_AUDIENCES", "api, other");
    Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    try (PlaneGuard planeguard =
        PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(env).build())) {
      Enforcer enforcer = planeguard.enforcer();
      assertThat(enforcer.contract().mode()).isEqualTo(Mode.LOCAL);
      assertThat(enforcer.machineKeyHeader()).isEqualTo(PlaneGuardSettings.MACHINE_KEY_HEADER);
      assertThat(enforcer.decide(InboundRequest.of("GET", "/healthz", Map.of())).reason())
          .isEqualTo(Reason.PUBLIC);
      assertThat(enforcer.decide(InboundRequest.of("GET", "/api/v1/runs", Map.of())).reason())
          .isEqualTo(Reason.MISSING_CREDENTIAL);
      assertThat(planeguard.machineKeys()).isInstanceOf(KeyFile.class);
      assertThat(planeguard.jwtVerifier()).isNotNull();
      assertThat(planeguard.routeTable()).contains("planeguard route table (mode local)");
    }
  }

  @Test
  void everythingWrongIsListedAtOnce() {
    Map<String, String> env = env("prod");
    env.put("DB_AUTHORITY", "local");
    env.put("PLANEGUARD_TIER", "nosuchtier");
    env.put("PLANEGUARD_POLICY_LOCATION", dir.resolve("missing.policy").toString());
    List<Problem> problems = problems(PlaneGuardSettings.fromEnvironment(env).build());
    assertThat(problems)
        .extracting(Problem::subject)
        .contains("DB_AUTHORITY", "PLANEGUARD_POLICY_LOCATION")
        .doesNotContain("PLANEGUARD_TIER"); // the tier check needs a valid contract first
  }

  @Test
  void theTierCheckRunsForEveryAdapter() throws Exception {
    Map<String, String> env = env("prod");
    env.put("PLANEGUARD_TIER", "nosuchtier");
    env.put("PLANEGUARD_POLICY_LOCATION", policyFile().toString());
    List<Problem> problems = problems(PlaneGuardSettings.fromEnvironment(env).build());
    assertThat(problems).extracting(Problem::subject).contains("PLANEGUARD_TIER");
  }

  @Test
  void aMissingPlaneIsNamedByItsSetting() throws Exception {
    Map<String, String> env = env("local");
    env.put("PLANEGUARD_POLICY_LOCATION", policyFile().toString());
    List<Problem> problems = problems(PlaneGuardSettings.fromEnvironment(env).build());
    assertThat(problems)
        .extracting(Problem::subject)
        .containsExactly("PLANEGUARD_HUMAN_ISSUER", "PLANEGUARD_MACHINE_KEYS_FILE");
    assertThat(problems.get(0).fix())
        .isEqualTo(
            "set PLANEGUARD_HUMAN_ISSUER to the exact iss of your tokens, with"
                + " PLANEGUARD_HUMAN_AUDIENCES and, unless the issuer supports OpenID discovery,"
                + " PLANEGUARD_HUMAN_JWKS_URI");
  }

  @Test
  void theTenantHeaderIsSetInOnePlace() throws Exception {
    Map<String, String> env = env("local");
    env.put("TENANT_HEADER", "X-Org");
    PlaneGuardSettings settings =
        PlaneGuardSettings.builder()
            .environment(env)
            .policy(Policy.parse("public /healthz\n", "p"))
            .tenantHeader("X-Tenant")
            .build();
    assertThat(problems(settings))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.subject()).isEqualTo("planeguard.tenant-header");
              assertThat(p.fix())
                  .isEqualTo(
                      "set the tenant header in one place: TENANT_HEADER or planeguard.tenant-header");
            });
    try (PlaneGuard agreed =
        PlaneGuard.assemble(
            PlaneGuardSettings.builder()
                .environment(env("local"))
                .policy(Policy.parse("public /healthz\n", "p"))
                .tenantHeader("X-Tenant")
                .build())) {
      assertThat(agreed.enforcer().contract().tenantHeader()).isEqualTo("X-Tenant");
    }
  }

  @Test
  void handlersAreCoveredAndUnmirroredSettingsStopProd() throws Exception {
    RouteCoverage.Handler uncovered =
        new RouteCoverage.Handler(
            "Admin#export",
            List.of(new RouteCoverage.PathMapping("/admin/export", "/admin/export", false)),
            Set.of("GET"),
            java.util.Optional.empty(),
            false);
    PlaneGuardSettings.Builder settings =
        PlaneGuardSettings.builder()
            .environment(env("prod"))
            .policy(Policy.parse("public /healthz\n", "p"))
            .handlers(List.of(uncovered))
            .unmirrored("the framework matches paths case-insensitively");
    assertThat(problems(settings.build()))
        .extracting(Problem::subject)
        .containsExactly("handler GET /admin/export (Admin#export)", "web configuration");
    try (PlaneGuard local =
        PlaneGuard.assemble(
            PlaneGuardSettings.builder()
                .environment(env("local"))
                .policy(Policy.parse("public /healthz\n", "p"))
                .handlers(List.of(uncovered))
                .unmirrored("the framework matches paths case-insensitively")
                .build())) {
      assertThat(local.coverage().uncovered()).containsExactly("GET /admin/export (Admin#export)");
      assertThat(local.routeTable()).contains("GET /admin/export (Admin#export)");
    }
  }
}
