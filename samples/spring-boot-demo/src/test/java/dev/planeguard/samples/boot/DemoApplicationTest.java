package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.samples.support.DemoHttp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo as a newcomer runs it ({@code AOS_MODE=local}, nothing else configured but a key file
 * with a second, unscoped key), over real HTTP with the local issuer's really signed token: each
 * outcome of the decision table, with the exact status, reason and headers, and the handler not run
 * on a deny.
 */
class DemoApplicationTest {

  @TempDir static Path dir;
  static ConfigurableApplicationContext app;
  static DemoHttp http;
  static String token;
  static String writer;
  static String reader;

  @BeforeAll
  static void start() throws Exception {
    Path keys = dir.resolve("keys.jsonl");
    ApiKey write = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    ApiKey read = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
    try (KeyFile file = KeyFile.openOrCreate(keys)) {
      file.add(KeyRecord.of(write, "demo", Set.of("runs:write"), null));
      file.add(KeyRecord.of(read, "demo", Set.of(), null));
    }
    writer = write.value();
    reader = read.value();
    app =
        DemoApplication.start(
            Map.of(
                "AOS_MODE", "local",
                "DB_AUTHORITY", "local",
                "SERVER_PORT", "0",
                // More requests per caller than the demo's own 10 a minute (DemoRateLimitTest).
                "RATE_LIMIT_DEFAULT_RPM", "1000",
                "PLANEGUARD_MACHINE_KEYS_FILE", keys.toString(),
                "PLANEGUARD_DEMO_OUTPUT", dir.resolve("out").toString()));
    http = new DemoHttp(app);
    token = Files.readString(dir.resolve("out/demo-token"));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static String bearer() {
    return "Bearer " + token;
  }

  @Test
  void humanRouteAnswersThePrincipal() {
    HttpResponse<String> r = http.send("GET", "/api/v1/accounts/me", "Authorization", bearer());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"plane\":\"human\"", "\"subject\":\"demo-user\"");
  }

  @Test
  void machineRouteWithTheScopeCreatesARun() {
    HttpResponse<String> r = http.send("POST", "/api/v1/runs", "X-AOS-Key", writer);
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).contains("\"createdBy\"");
  }

  @Test
  void machineRouteWithoutTheScopeIs403AndTheHandlerDoesNotRun() {
    String before = http.send("GET", "/api/v1/runs", "X-AOS-Key", reader).body();
    HttpResponse<String> r = http.send("POST", "/api/v1/runs", "X-AOS-Key", reader);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("\"reason\":\"INSUFFICIENT_SCOPE\"");
    // RFC 6750's insufficient_scope challenge is for Bearer tokens; a key plane has none.
    assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
    assertThat(http.send("GET", "/api/v1/runs", "X-AOS-Key", reader).body()).isEqualTo(before);
  }

  @Test
  void telemetryIsMachinePlaneByItsAnnotation() {
    assertThat(http.send("POST", "/api/v1/telemetry/events", "X-AOS-Key", reader).statusCode())
        .isEqualTo(202);
    HttpResponse<String> r =
        http.send("POST", "/api/v1/telemetry/events", "Authorization", bearer());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
  }

  @Test
  void machineKeyOnAHumanRouteIsCrossPlane() {
    HttpResponse<String> r = http.send("GET", "/api/v1/accounts/me", "X-AOS-Key", writer);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"").doesNotContain(writer);
    assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
  }

  @Test
  void jwtOnAMachineRouteIsCrossPlane() {
    HttpResponse<String> r = http.send("GET", "/api/v1/runs", "Authorization", bearer());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
    assertThat(r.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("ApiKey");
  }

  @Test
  void bothCredentialsAreAmbiguous() {
    HttpResponse<String> r =
        http.send("GET", "/api/v1/runs", "Authorization", bearer(), "X-AOS-Key", writer);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"reason\":\"AMBIGUOUS_CREDENTIALS\"");
  }

  @Test
  void missingAndInvalidCredentials() {
    HttpResponse<String> missing = http.send("GET", "/api/v1/accounts/me");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
    HttpResponse<String> forged =
        http.send("GET", "/api/v1/accounts/me", "Authorization", bearer() + "x");
    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).contains("\"reason\":\"INVALID_TOKEN\"");
  }

  @Test
  void credentialInTheQueryIsRefused() {
    HttpResponse<String> r =
        http.send("GET", "/api/v1/runs?api_key=" + writer, "X-AOS-Key", writer);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"reason\":\"CREDENTIAL_IN_QUERY\"").doesNotContain(writer);
  }

  @Test
  void unmappedRouteIsAPlain404() {
    HttpResponse<String> r = http.send("GET", "/api/v1/admin", "Authorization", bearer());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body())
        .isEqualTo("{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}");
  }

  @Test
  void publicAndDebugRoutesAnswerInLocal() {
    assertThat(http.send("GET", "/healthz").statusCode()).isEqualTo(200);
    assertThat(http.send("GET", "/__debug/openapi_inspect", "Authorization", bearer()).statusCode())
        .isEqualTo(200);
    assertThat(http.send("GET", "/__debug/openapi_inspect").statusCode()).isEqualTo(401);
  }

  @Test
  void routeTableEndpointIsADebugRouteWithOrigins() {
    assertThat(http.send("GET", "/actuator/planeguard", "X-AOS-Key", writer).statusCode())
        .isEqualTo(401);
    HttpResponse<String> r = http.send("GET", "/actuator/planeguard", "Authorization", bearer());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .contains("\"origin\":\"planeguard.policy:5\"")
        .contains("dev.planeguard.samples.support.DemoControllers$Telemetry#accept");
  }
}
