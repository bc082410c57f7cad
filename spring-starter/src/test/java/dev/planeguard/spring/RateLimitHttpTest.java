package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.spring.apps.Apps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Rate limits configured by the starter's properties, in a real application on real Tomcat: the
 * third request of a caller limited to two a minute is 429 with the RateLimit fields, and its
 * handler does not run.
 */
class RateLimitHttpTest {

  @TempDir Path dir;
  final HttpClient client = HttpClient.newHttpClient();

  @Test
  void theDefaultCallerLimitOfThePropertiesRefusesTheThirdRequest() throws Exception {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    ApiKey other = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    Path keys = dir.resolve("keys.jsonl");
    try (KeyFile f = KeyFile.openOrCreate(keys)) {
      f.add(KeyRecord.of(key, "acme", Set.of("runs:write"), null));
      f.add(KeyRecord.of(other, "acme", Set.of("runs:write"), null));
    }
    try (ConfigurableApplicationContext app =
        new SpringApplicationBuilder(Apps.MachineApi.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "AOS_MODE=prod",
                "DB_AUTHORITY=neon",
                "planeguard.machine.keys-file=" + keys,
                "planeguard.rate-limit.enabled=true",
                "planeguard.rate-limit.default-rpm=2",
                "management.endpoints.web.exposure.exclude=*",
                "management.endpoints.web.discovery.enabled=false",
                "spring.autoconfigure.exclude="
                    + "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
                    + "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration")
            .run()) {
      String port = app.getEnvironment().getProperty("local.server.port");
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> ok = post(port, key);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("created");
        assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"caller\";q=2;w=60");
        assertThat(ok.headers().firstValue("RateLimit"))
            .hasValue("\"caller\";r=" + (1 - i) + ";t=" + 30 * (i + 1));
      }
      HttpResponse<String> limited = post(port, key);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body())
          .isEqualTo(
              "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                  + "\"reason\":\"RATE_LIMITED\",\"plane\":\"machine\"}");
      assertThat(limited.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(limited.headers().firstValue("Retry-After")).hasValue("30");
      assertThat(limited.headers().firstValue("RateLimit")).hasValue("\"caller\";r=0;t=30");
      assertThat(limited.headers().firstValue("WWW-Authenticate")).isEmpty();
      // Each caller has its own count.
      assertThat(post(port, other).statusCode()).isEqualTo(200);
    }
  }

  private HttpResponse<String> post(String port, ApiKey key) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/runs"))
            .header("X-AOS-Key", key.value())
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
