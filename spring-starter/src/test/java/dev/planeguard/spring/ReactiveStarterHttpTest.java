package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.AuditLedger;
import dev.planeguard.LedgerEntry;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.spring.apps.ReactiveApps;
import dev.planeguard.test.TestIssuer;
import dev.planeguard.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot WebFlux application on Reactor Netty with the starter and planeguard-webflux, over
 * real HTTP with really signed tokens and real keys: the same properties and startup as a servlet
 * application, the servlet filter's refusals, and Spring Security's reactive context sees the
 * caller. Runs on Boot 4.1 here and on Boot 3.5 in spring-starter-boot3-test.
 */
class ReactiveStarterHttpTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static ApiKey machineKey;
  static ConfigurableApplicationContext app;
  final HttpClient client = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    issuer = TestIssuer.start();
    machineKey = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    try (KeyFile f = KeyFile.openOrCreate(dir.resolve("keys.jsonl"))) {
      f.add(KeyRecord.of(machineKey, null, Set.of("telemetry:write"), null));
    }
    app =
        new SpringApplicationBuilder(ReactiveApps.Secured.class)
            .web(WebApplicationType.REACTIVE)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=local",
                "DB_AUTHORITY=local",
                "planeguard.policy-location=classpath:reactive.policy",
                "planeguard.realm=planeguard-test",
                "planeguard.human.issuer=" + issuer.issuerId(),
                "planeguard.human.jwks-uri=" + issuer.jwksUri(),
                "planeguard.human.audiences=" + issuer.audience(),
                "planeguard.machine.keys-file=" + dir.resolve("keys.jsonl"),
                "planeguard.audit.ledger=" + dir.resolve("audit/ledger.jsonl"),
                "planeguard.audit.flush-interval=10ms",
                "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
            .run();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    issuer.close();
  }

  HttpResponse<String> send(String method, String path, String header, String value)
      throws Exception {
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
  void aHumanIsAllowedAndSpringSecuritySeesTheCaller() throws Exception {
    HttpResponse<String> me =
        send(
            "GET",
            "/api/v1/accounts/me",
            "Authorization",
            "Bearer " + issuer.token().scope("runs:read").sign());
    assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
    assertThat(me.body())
        .contains("\"type\":\"PlaneGuardAuthentication\"")
        .contains("\"principal\":\"human\"")
        .contains("\"authorities\":[\"PLANE_HUMAN\",\"SCOPE_runs:read\"]");
    HttpResponse<String> machine =
        send("GET", "/api/v1/telemetry/caller", "X-AOS-Key", machineKey.value());
    assertThat(machine.statusCode()).as(machine.body()).isEqualTo(200);
    assertThat(machine.body())
        .contains("\"authorities\":[\"PLANE_MACHINE\",\"SCOPE_telemetry:write\"]");
    assertThat(send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/status", null, null).body()).isEqualTo("up");
  }

  @Test
  void refusalsAreTheServletFiltersAnswers() throws Exception {
    HttpResponse<String> none = send("GET", "/api/v1/accounts/me", null, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"reason\":\"MISSING_CREDENTIAL\",\"plane\":\"human\"}");
    assertThat(none.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(none.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(none.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"planeguard-test\"");

    HttpResponse<String> cross =
        send("GET", "/api/v1/accounts/me", "X-AOS-Key", machineKey.value());
    assertThat(cross.statusCode()).isEqualTo(401);
    assertThat(cross.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");

    HttpResponse<String> unmapped = send("GET", "/nothing", null, null);
    assertThat(unmapped.statusCode()).isEqualTo(404);
    assertThat(unmapped.body())
        .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}");
  }

  @Test
  void aHandlerRecordsItsAuditAttributesThroughAParameter() throws Exception {
    String bearer = "Bearer " + issuer.token().subject("auditor").sign();
    HttpResponse<String> refused = send("POST", "/api/v1/runs", null, null);
    assertThat(refused.statusCode()).isEqualTo(401);
    HttpResponse<String> created = send("POST", "/api/v1/runs", "Authorization", bearer);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    assertThat(created.body()).isEqualTo("created");

    Path ledger = dir.resolve("audit/ledger.jsonl");
    List<LedgerEntry> runs = new ArrayList<>();
    Await.until(
        () -> {
          runs.clear();
          try {
            if (Files.exists(ledger)) {
              AuditLedger.scan(
                  ledger,
                  e -> {
                    if ("/api/v1/runs".equals(e.text("path"))) {
                      runs.add(e);
                    }
                  });
            }
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return runs.size() == 2;
        });
    assertThat(runs)
        .extracting(e -> e.text("reason"))
        .containsExactly("MISSING_CREDENTIAL", "AUTHENTICATED");
    assertThat(runs.get(0).line()).doesNotContain("attributes");
    assertThat(runs.get(1).text("plane")).isEqualTo("human");
    assertThat(runs.get(1).line())
        .endsWith(
            ",\"attributes\":{\"purpose\":\"nightly-eval\",\"model\":\"m-1\",\"success\":true}}");
  }

  @Test
  void theStarterWiresTheWebFluxAdapter() {
    assertThat(app.getBeansOfType(dev.planeguard.webflux.PlaneGuardWebFilter.class)).hasSize(1);
    assertThat(app.getBeansOfType(dev.planeguard.webflux.DispatchConfirmation.class)).hasSize(1);
    assertThat(app.getBeansOfType(ReactiveSecurityBridge.class)).hasSize(1);
    PlaneGuardSetup setup = app.getBean(PlaneGuardSetup.class);
    assertThat(setup.coverage.handlers())
        .extracting(h -> h.origin())
        .contains(
            "dev.planeguard.spring.apps.ReactiveApps$SecuredController#me",
            "RouterFunction (GET && /api/v1/status)");
  }
}
