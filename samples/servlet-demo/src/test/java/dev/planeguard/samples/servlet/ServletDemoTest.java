package dev.planeguard.samples.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Problem;
import dev.planeguard.keys.ApiKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The demo as a user runs it in local mode: real issuer, real key, real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServletDemoTest {

  ServletDemo demo;
  HttpClient client = HttpClient.newHttpClient();
  String token;
  ApiKey key;

  @BeforeAll
  void start() throws Exception {
    demo =
        ServletDemo.start(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local", "SERVER_PORT", "0"));
    token = demo.demoToken();
    key = demo.demoKey();
    assertThat(token).isNotNull();
    assertThat(key).isNotNull();
  }

  @AfterAll
  void stop() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthIsPublic() throws Exception {
    HttpResponse<String> r = send("GET", "/healthz");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
  }

  @Test
  void theAccountRouteAnswersTheHumanPrincipal() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/accounts/me", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("{\"plane\":\"human\",\"subject\":\"demo-user\",\"issuer\":\"http://127.0.0.1:")
        .endsWith("\"sessionId\":null,\"tenant\":null,\"scopes\":[\"runs:read\"]}");
    assertThat(r.body()).doesNotContain(token);
  }

  @Test
  void runsNeedTheMachineKeyAndPostNeedsItsScope() throws Exception {
    HttpResponse<String> created = send("POST", "/api/v1/runs", "X-AOS-Key", key.value());
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body()).contains("\"createdBy\":\"" + key.id() + "\"");
    assertThat(send("GET", "/api/v1/runs", "X-AOS-Key", key.value()).statusCode()).isEqualTo(200);
    assertThat(send("GET", "/api/v1/runs/run-1", "X-AOS-Key", key.value()).body())
        .contains("run-1");
    assertThat(send("POST", "/api/v1/telemetry/events", "X-AOS-Key", key.value()).statusCode())
        .isEqualTo(202);
  }

  @Test
  void theCrossPlaneMistakesAreRefused() throws Exception {
    HttpResponse<String> keyOnHuman = send("GET", "/api/v1/accounts/me", "X-AOS-Key", key.value());
    assertThat(keyOnHuman.statusCode()).isEqualTo(401);
    assertThat(keyOnHuman.body()).contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"");
    assertThat(keyOnHuman.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"api\"");
    HttpResponse<String> tokenOnMachine =
        send("GET", "/api/v1/runs", "Authorization", "Bearer " + token);
    assertThat(tokenOnMachine.statusCode()).isEqualTo(401);
    assertThat(tokenOnMachine.headers().firstValue("WWW-Authenticate"))
        .hasValue("ApiKey realm=\"api\", header=\"X-AOS-Key\"");
  }

  @Test
  void anUnmappedRouteAndAMappedRouteWithoutAServletAnswerTheSame404() throws Exception {
    HttpResponse<String> unmapped = send("GET", "/api/v1/nothing");
    HttpResponse<String> noServlet =
        send("GET", "/api/v1/accounts/other", "Authorization", "Bearer " + token);
    assertThat(unmapped.statusCode()).isEqualTo(404);
    assertThat(noServlet.statusCode()).isEqualTo(404);
    assertThat(noServlet.body()).isEqualTo(unmapped.body());
    assertThat(noServlet.headers().firstValue("Content-Type"))
        .isEqualTo(unmapped.headers().firstValue("Content-Type"));
  }

  @Test
  void debugRoutesAnswerOnTheHumanPlaneInLocal() throws Exception {
    assertThat(send("GET", "/__debug/openapi_inspect").statusCode()).isEqualTo(401);
    assertThat(
            send("GET", "/__debug/openapi_inspect", "Authorization", "Bearer " + token)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void theUsagePrintsACommandForEveryPlane() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    demo.printUsage(new PrintStream(out, true, StandardCharsets.UTF_8));
    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage)
        .contains("/healthz")
        .contains("Authorization: Bearer " + token)
        .contains("X-AOS-Key: " + key.value())
        .contains("--path-as-is");
  }

  @Test
  void outsideLocalNothingDefaults() {
    assertThatThrownBy(
            () ->
                ServletDemo.start(
                    Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon", "SERVER_PORT", "0")))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::subject)
                    .containsExactly("PLANEGUARD_HUMAN_ISSUER", "PLANEGUARD_MACHINE_KEYS_FILE"));
  }
}
