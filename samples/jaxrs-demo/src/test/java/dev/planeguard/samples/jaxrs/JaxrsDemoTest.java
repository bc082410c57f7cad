package dev.planeguard.samples.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

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
class JaxrsDemoTest {

  JaxrsDemo demo;
  // HTTP/1.1: Grizzly does not take the client's h2c upgrade offer on a request with a body.
  HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  String token;
  ApiKey key;

  @BeforeAll
  void start() throws Exception {
    demo =
        JaxrsDemo.start(Map.of("AOS_MODE", "local", "DB_AUTHORITY", "local", "SERVER_PORT", "0"));
    token = demo.demoToken();
    key = demo.demoKey();
    assertThat(token).isNotNull();
    assertThat(key).isNotNull();
  }

  @AfterAll
  void stop() {
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
  void aHumanCallSeesItsPrincipal() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/accounts/me", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("{\"plane\":\"human\",\"subject\":\"demo-user\",\"issuer\":");
    assertThat(r.body()).endsWith(",\"tenant\":null,\"scopes\":[\"runs:read\"]}");
  }

  @Test
  void aMachineCallCreatesARun() throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/runs", "X-AOS-Key", key.value());
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).matches("\\{\"id\":\"run-[0-9]+\",\"createdBy\":\"" + key.id() + "\"}");
    HttpResponse<String> telemetry =
        send("POST", "/api/v1/telemetry/events", "X-AOS-Key", key.value());
    assertThat(telemetry.statusCode()).isEqualTo(202);
  }

  @Test
  void aCrossPlaneCallIsRefused() throws Exception {
    HttpResponse<String> r = send("GET", "/api/v1/runs", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(r.body())
        .isEqualTo(
            "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                + "\"reason\":\"CROSS_PLANE_CREDENTIAL\",\"plane\":\"machine\"}");
    assertThat(r.body()).doesNotContain(token);
  }

  @Test
  void theDebugRoutesAnswerHumansInLocalMode() throws Exception {
    HttpResponse<String> r =
        send("GET", "/__debug/openapi_inspect", "Authorization", "Bearer " + token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("{\"route\":\"/__debug/openapi_inspect\"");
  }

  @Test
  void theUsagePrintsACurlLinePerPlane() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    demo.printUsage(new PrintStream(out, true, StandardCharsets.UTF_8));
    String usage = out.toString(StandardCharsets.UTF_8);
    assertThat(usage)
        .contains("curl -i http://127.0.0.1:" + demo.port() + "/healthz")
        .contains("curl -i -H 'X-AOS-Key: " + key.value() + "' ")
        .contains("curl -i -H 'Authorization: Bearer " + token + "' ");
  }
}
