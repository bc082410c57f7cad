package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Enforcer;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.spring.apps.Apps;
import dev.planeguard.test.TestIssuer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Real applications on real Tomcat with really signed tokens: Spring Security sees the planeguard
 * caller, handler annotations become policy rules and are merged with the policy file.
 */
class StarterHttpTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static ApiKey machineKey;
  static ApiKey sandboxKey;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    issuer = TestIssuer.start();
    machineKey = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(dir.resolve("keys.jsonl"))) {
      f.add(KeyRecord.of(machineKey, null, Set.of("telemetry:write"), null));
    }
    sandboxKey = ApiKey.generate(ApiKey.Kind.SANDBOX, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(dir.resolve("sandbox.jsonl"))) {
      f.add(KeyRecord.of(sandboxKey, null, Set.of("runs:read"), null));
    }
  }

  @AfterAll
  static void stop() {
    issuer.close();
  }

  static ConfigurableApplicationContext run(Class<?> app, String... more) {
    List<String> props =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=local",
                "DB_AUTHORITY=local",
                "planeguard.human.issuer=" + issuer.issuerId(),
                "planeguard.human.jwks-uri=" + issuer.jwksUri(),
                "planeguard.human.audiences=" + issuer.audience()));
    List<String> given = List.of(more);
    if (given.stream().noneMatch(p -> p.startsWith("planeguard.machine.jdbc.enabled="))) {
      props.add("planeguard.machine.keys-file=" + dir.resolve("keys.jsonl"));
    }
    if (given.stream().noneMatch(p -> p.startsWith("spring.datasource.url="))) {
      // The JDBC driver is on the test class path; without a URL there is no database to use.
      props.add(
          "spring.autoconfigure.exclude="
              + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration," // Boot 4
              + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"); // Boot
      // 3
    }
    props.addAll(given);
    return new SpringApplicationBuilder(app).properties(props.toArray(String[]::new)).run();
  }

  HttpResponse<String> send(
      ConfigurableApplicationContext app, String method, String path, String token)
      throws IOException, InterruptedException {
    return token == null
        ? send(app, method, path, null, null)
        : send(app, method, path, "Authorization", "Bearer " + token);
  }

  HttpResponse<String> send(
      ConfigurableApplicationContext app, String method, String path, String header, String value)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + app.getEnvironment().getProperty("local.server.port")
                        + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (header != null) {
      b.header(header, value);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void springSecuritySeesTheCallerAndItsScopes() throws Exception {
    try (ConfigurableApplicationContext app =
        run(Apps.Secured.class, "planeguard.policy-location=classpath:secured.policy")) {
      HttpResponse<String> me =
          send(app, "GET", "/api/v1/accounts/me", issuer.token().scope("runs:read").sign());
      assertThat(me.statusCode()).isEqualTo(200);
      assertThat(me.body())
          .contains("\"type\":\"PlaneGuardAuthentication\"")
          .contains("\"principal\":\"human\"")
          .contains("\"authorities\":[\"PLANE_HUMAN\",\"SCOPE_runs:read\"]")
          .doesNotContain("PLANE_MACHINE")
          .doesNotContain("PLANE_SANDBOX");
      assertThat(
              send(app, "POST", "/api/v1/runs", issuer.token().scope("runs:write").sign())
                  .statusCode())
          .isEqualTo(200);
      // planeguard allows (human route, no scope in the policy); @PreAuthorize refuses.
      assertThat(
              send(app, "POST", "/api/v1/runs", issuer.token().scope("runs:read").sign())
                  .statusCode())
          .isEqualTo(403);
      // planeguard refuses first: Spring Security is never asked.
      HttpResponse<String> none = send(app, "GET", "/api/v1/accounts/me", null);
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
      assertThat(send(app, "GET", "/healthz", null).statusCode()).isEqualTo(200);
    }
  }

  /** Humans are limited by issuer and subject: each person has a count of their own. */
  @Test
  void humansAreLimitedBySubject() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            Apps.Secured.class,
            "planeguard.policy-location=classpath:secured.policy",
            "RATE_LIMIT_ENABLED=true",
            "RATE_LIMIT_DEFAULT_RPM=2")) {
      String alice = issuer.token().subject("alice").sign();
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> ok = send(app, "GET", "/api/v1/accounts/me", alice);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"caller\";q=2;w=60");
      }
      // Another token of the same person shares the count; another person has their own.
      HttpResponse<String> limited =
          send(app, "GET", "/api/v1/accounts/me", issuer.token().subject("alice").sign());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("\"reason\":\"RATE_LIMITED\"", "\"plane\":\"human\"");
      assertThat(limited.headers().firstValue("WWW-Authenticate")).isEmpty();
      HttpResponse<String> bob =
          send(app, "GET", "/api/v1/accounts/me", issuer.token().subject("bob").sign());
      assertThat(bob.statusCode()).isEqualTo(200);
    }
  }

  /** Sandbox keys are always limited in local mode, the limit set by its contract variable. */
  @Test
  void sandboxKeysGetTheSandboxLimitAndHumansTheirOwnCounts() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            Apps.Secured.class,
            "planeguard.policy-location=classpath:secured.policy",
            "planeguard.sandbox.keys-file=" + dir.resolve("sandbox.jsonl"),
            "SANDBOX_RATE_LIMIT_PER_MINUTE=2")) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> ok =
            send(app, "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key", sandboxKey.value());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"sandbox\";q=2;w=60");
      }
      HttpResponse<String> limited =
          send(app, "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key", sandboxKey.value());
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body()).contains("\"reason\":\"RATE_LIMITED\"", "\"plane\":\"human\"");
      assertThat(limited.headers().firstValue("Retry-After")).hasValue("30");
      // RATE_LIMIT_ENABLED is not set: a human has no limit, and no RateLimit fields.
      HttpResponse<String> human = send(app, "GET", "/api/v1/accounts/me", issuer.token().sign());
      assertThat(human.statusCode()).isEqualTo(200);
      assertThat(human.headers().firstValue("RateLimit")).isEmpty();
    }
  }

  /**
   * One plane authority per caller, so handlers can tell machine, human and sandbox callers apart.
   */
  @Test
  void springSecuritySeesThePlaneOfTheCaller() throws Exception {
    try (ConfigurableApplicationContext app =
        run(
            Apps.Secured.class,
            "planeguard.policy-location=classpath:secured.policy",
            "planeguard.sandbox.keys-file=" + dir.resolve("sandbox.jsonl"))) {
      HttpResponse<String> machine =
          send(app, "GET", "/api/v1/telemetry/caller", "X-AOS-Key", machineKey.value());
      assertThat(machine.statusCode()).as(machine.body()).isEqualTo(200);
      assertThat(machine.body())
          .contains("\"principal\":\"machine\"")
          .contains("\"authorities\":[\"PLANE_MACHINE\",\"SCOPE_telemetry:write\"]");

      HttpResponse<String> human = send(app, "GET", "/api/v1/accounts/me", issuer.token().sign());
      assertThat(human.statusCode()).isEqualTo(200);
      assertThat(human.body()).contains("\"authorities\":[\"PLANE_HUMAN\"]");

      // A sandbox key is on the human plane, but is not a person.
      HttpResponse<String> sandbox =
          send(app, "GET", "/api/v1/accounts/me", "X-AOS-Customer-Key", sandboxKey.value());
      assertThat(sandbox.statusCode()).as(sandbox.body()).isEqualTo(200);
      assertThat(sandbox.body())
          .contains("\"principal\":\"human\"")
          .contains("\"authorities\":[\"PLANE_SANDBOX\",\"SCOPE_runs:read\"]");

      HttpResponse<String> person =
          send(app, "GET", "/api/v1/accounts/people-only", issuer.token().sign());
      assertThat(person.statusCode()).isEqualTo(200);
      assertThat(person.body()).isEqualTo("person");
      assertThat(
              send(
                      app,
                      "GET",
                      "/api/v1/accounts/people-only",
                      "X-AOS-Customer-Key",
                      sandboxKey.value())
                  .statusCode())
          .isEqualTo(403);
    }
  }

  @Test
  void annotationsAloneMakeThePolicy() throws Exception {
    Path export = dir.resolve("effective.policy");
    try (ConfigurableApplicationContext app =
        run(Apps.AnnotatedApp.class, "planeguard.export-policy=" + export)) {
      Policy policy = app.getBean(Enforcer.class).policy();
      Policy expected =
          Policy.parse(
              String.join(
                  "\n",
                  "human   /api/v1/accounts/me  methods=GET",
                  "human   /api/v1/accounts/{id}/reports  methods=GET scopes=reports:read",
                  "deny    /api/v1/accounts/{id}/delete  methods=GET",
                  "machine /api/v1/telemetry/events  methods=POST scopes=telemetry:write",
                  "public  /api/v1/status  methods=GET"),
              "expected");
      assertThat(policy.rules()).containsExactlyInAnyOrderElementsOf(expected.rules());
      assertThat(Files.readString(export))
          .contains("# from " + Apps.Annotated.class.getName() + "#telemetry");
      assertThat(Policy.parse(Files.readString(export), "exported").rules())
          .containsExactlyInAnyOrderElementsOf(expected.rules());
      String token = issuer.token().sign();
      assertThat(send(app, "GET", "/api/v1/accounts/me", token).statusCode()).isEqualTo(200);
      assertThat(send(app, "GET", "/api/v1/accounts/7/delete", token).statusCode()).isEqualTo(404);
      assertThat(send(app, "GET", "/api/v1/accounts/7/reports", token).statusCode()).isEqualTo(403);
      assertThat(
              send(
                      app,
                      "GET",
                      "/api/v1/accounts/7/reports",
                      issuer.token().scope("reports:read").sign())
                  .statusCode())
          .isEqualTo(200);
      assertThat(send(app, "POST", "/api/v1/telemetry/events", token).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void fileAndAnnotationsThatAgreeAreMergedWithBothOrigins() {
    try (ConfigurableApplicationContext app =
        run(Apps.AnnotatedApp.class, "planeguard.policy-location=classpath:agreeing.policy")) {
      Policy policy = app.getBean(Enforcer.class).policy();
      assertThat(policy.renderWithOrigins())
          .contains("agreeing.policy:2, " + Apps.Annotated.class.getName() + "#telemetry")
          .contains("# from " + Apps.Annotated.class.getName() + "#reports");
    }
  }

  @Test
  void aConflictStopsStartupNamingTheHandlerAndThePolicyLine() {
    assertThatThrownBy(
            () ->
                run(
                        Apps.AnnotatedApp.class,
                        "planeguard.policy-location=classpath:telemetry-human.policy")
                    .close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(Apps.Annotated.class.getName() + "#telemetry")
        .hasMessageContaining("telemetry-human.policy:2");
  }

  @Test
  void aRoleWithoutAPlaneDeclaresNothingSoTheRouteIsUncoveredAndAnswers404() throws Exception {
    try (ConfigurableApplicationContext app = run(Apps.RoleOnlyApp.class)) {
      assertThat(app.getBean(PlaneGuardSetup.class).uncovered)
          .contains("GET /api/v1/admin (" + Apps.RoleOnly.class.getName() + "#admin)")
          // Actuator's web endpoints are routes like any other.
          .anyMatch(route -> route.startsWith("GET /actuator/health "));
      assertThat(
              send(app, "GET", "/api/v1/admin", issuer.token().scope("admin").sign()).statusCode())
          .isEqualTo(404);
    }
  }

  /**
   * Two instances' worth of the fleet story in one application: Flyway (through the migration gate)
   * creates the key table from the schema in planeguard's jar, the starter reads machine keys from
   * it, and keys written by another store over the same database (another node, or the command
   * line) are served and revoked.
   */
  @Test
  void machineKeysFromTheJdbcStoreWithTheTableMadeByGatedFlyway() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        ConfigurableApplicationContext app =
            run(
                Apps.MachineApi.class,
                "spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "spring.datasource.username=postgres",
                "spring.flyway.locations=classpath:"
                    + JdbcKeyStore.SCHEMA_RESOURCE.substring(
                        0, JdbcKeyStore.SCHEMA_RESOURCE.lastIndexOf('/')),
                "DB_ROLE=staging",
                "spring.liquibase.enabled=false",
                "planeguard.machine.jdbc.enabled=true",
                "planeguard.machine.jdbc.revocation-bound=10m");
        JdbcKeyStore writer = JdbcKeyStore.builder(app.getBean(DataSource.class)).build()) {
      assertThat(app.getBean(PlaneGuardSetup.class).machineKeys)
          .isInstanceOf(JdbcKeyStore.class)
          .hasToString(
              "JdbcKeyStore{table=planeguard_keys, revocationBound=PT10M, listening=false}");
      ApiKey writes = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      ApiKey readsOnly = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      ApiKey revoked = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      writer.add(KeyRecord.of(writes, null, Set.of("runs:write"), null));
      writer.add(KeyRecord.of(readsOnly, null, Set.of("runs:read"), null));
      writer.add(KeyRecord.of(revoked, null, Set.of("runs:write"), null));
      writer.revoke(revoked.id());

      HttpResponse<String> ok = send(app, "POST", "/api/v1/runs", "X-AOS-Key", writes.value());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("created");
      HttpResponse<String> scope =
          send(app, "POST", "/api/v1/runs", "X-AOS-Key", readsOnly.value());
      assertThat(scope.statusCode()).isEqualTo(403);
      assertThat(scope.body())
          .contains("\"reason\":\"INSUFFICIENT_SCOPE\"")
          .doesNotContain("created");
      HttpResponse<String> gone = send(app, "POST", "/api/v1/runs", "X-AOS-Key", revoked.value());
      assertThat(gone.statusCode()).isEqualTo(401);
      assertThat(gone.body()).contains("\"reason\":\"REVOKED_KEY\"").doesNotContain("created");
      HttpResponse<String> unknown =
          send(
              app,
              "POST",
              "/api/v1/runs",
              "X-AOS-Key",
              ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL).value());
      assertThat(unknown.statusCode()).isEqualTo(401);
      assertThat(unknown.body()).contains("\"reason\":\"INVALID_KEY\"");
    }
  }
}
