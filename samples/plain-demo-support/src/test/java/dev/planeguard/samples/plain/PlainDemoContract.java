package dev.planeguard.samples.plain;

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
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A framework-free demo as a user runs it in local mode: real issuer, real key, real HTTP. Each
 * demo's test names how it starts, its port, credentials and usage.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PlainDemoContract<D extends AutoCloseable> {

  // HTTP/1.1: Grizzly does not take the client's h2c upgrade offer on a request with a body.
  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  @Nullable D demo;
  String token = "";
  ApiKey key;

  /** Starts the demo from {@code env}. */
  protected abstract D start(Map<String, String> env) throws Exception;

  protected abstract int port(D demo);

  protected abstract @Nullable String demoToken(D demo);

  protected abstract @Nullable ApiKey demoKey(D demo);

  protected abstract void printUsage(D demo, PrintStream out);

  D demo() {
    return java.util.Objects.requireNonNull(demo);
  }

  /** The local issuer's token. */
  protected final String token() {
    return token;
  }

  /** The in-memory machine key. */
  protected final ApiKey key() {
    return key;
  }

  @BeforeAll
  void startDemo() throws Exception {
    D d = start(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local", "SERVER_PORT", "0"));
    demo = d;
    String t = demoToken(d);
    ApiKey k = demoKey(d);
    assertThat(t).isNotNull();
    assertThat(k).isNotNull();
    token = t;
    key = k;
  }

  @AfterAll
  void stopDemo() throws Exception {
    if (demo != null) {
      demo.close();
    }
  }

  /** Sends a request without a body to the demo. */
  protected final HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(demo()) + path))
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
        .endsWith(",\"tenant\":null,\"scopes\":[\"runs:read\"]}");
    assertThat(r.body()).doesNotContain(token);
  }

  @Test
  void aMachineCallCreatesARunAndSendsTelemetry() throws Exception {
    HttpResponse<String> created = send("POST", "/api/v1/runs", "X-AOS-Key", key.value());
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.body())
        .matches("\\{\"id\":\"run-[0-9]+\",\"createdBy\":\"" + key.id() + "\"}");
    assertThat(send("GET", "/api/v1/runs", "X-AOS-Key", key.value()).statusCode()).isEqualTo(200);
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
    assertThat(tokenOnMachine.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(tokenOnMachine.headers().firstValue("WWW-Authenticate"))
        .hasValue("ApiKey realm=\"api\", header=\"X-AOS-Key\"");
    assertThat(tokenOnMachine.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"reason\":\"CROSS_PLANE_CREDENTIAL\",\"plane\":\"machine\"}");
  }

  @Test
  void debugRoutesAnswerOnTheHumanPlaneInLocal() throws Exception {
    assertThat(send("GET", "/__debug/openapi_inspect").statusCode()).isEqualTo(401);
    HttpResponse<String> r =
        send("GET", "/__debug/openapi_inspect", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void theUsagePrintsACommandForEveryPlane() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    printUsage(demo(), new PrintStream(out, true, StandardCharsets.UTF_8));
    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage)
        .contains("curl -i http://127.0.0.1:" + port(demo()) + "/healthz")
        .contains("curl -i -H 'Authorization: Bearer " + token + "' ")
        .contains("curl -i -H 'X-AOS-Key: " + key.value() + "' ")
        .contains("--path-as-is");
  }

  @Test
  void outsideLocalNothingDefaults() {
    assertThatThrownBy(
            () -> start(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon", "SERVER_PORT", "0")))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e ->
                assertThat(e.problems())
                    .extracting(Problem::subject)
                    .containsExactly("PLANEGUARD_HUMAN_ISSUER", "PLANEGUARD_MACHINE_KEYS_FILE"));
  }
}
