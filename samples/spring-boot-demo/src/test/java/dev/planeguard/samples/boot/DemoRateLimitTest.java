package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.samples.support.DemoHttp;
import dev.planeguard.samples.support.LocalDemo;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The local demo as a newcomer starts it limits each caller to 10 requests a minute: the eleventh
 * call of the demo key is 429 with the RateLimit fields, as the printed loop shows.
 */
class DemoRateLimitTest {

  @TempDir Path dir;

  @Test
  void theEleventhRequestOfAMinuteIs429() throws Exception {
    try (ConfigurableApplicationContext app =
        DemoApplication.start(
            Map.of(
                "AOS_MODE", "local",
                "DB_AUTHORITY", "local",
                "SERVER_PORT", "0",
                "PLANEGUARD_DEMO_OUTPUT", dir.toString()))) {
      DemoHttp http = new DemoHttp(app);
      String key = Files.readString(dir.resolve("demo-key"));
      for (int i = 0; i < LocalDemo.DEMO_RPM; i++) {
        HttpResponse<String> ok = http.send("GET", "/api/v1/runs", "X-AOS-Key", key);
        assertThat(ok.statusCode()).as("request %d", i + 1).isEqualTo(200);
        assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"caller\";q=10;w=60");
      }
      HttpResponse<String> limited = http.send("GET", "/api/v1/runs", "X-AOS-Key", key);
      assertThat(limited.statusCode()).isEqualTo(429);
      assertThat(limited.body())
          .isEqualTo(
              "{\"type\":\"about:blank\",\"title\":\"Too Many Requests\",\"status\":429,"
                  + "\"reason\":\"RATE_LIMITED\",\"plane\":\"machine\"}");
      assertThat(limited.headers().firstValue("Retry-After")).hasValue("6");
      assertThat(limited.headers().firstValue("RateLimit")).hasValue("\"caller\";r=0;t=6");
      // The human caller has a count of its own.
      String token = Files.readString(dir.resolve("demo-token"));
      assertThat(
              http.send("GET", "/api/v1/accounts/me", "Authorization", "Bearer " + token)
                  .statusCode())
          .isEqualTo(200);
    }
  }
}
