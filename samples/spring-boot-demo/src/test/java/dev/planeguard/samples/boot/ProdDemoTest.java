package dev.planeguard.samples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.samples.extra.UncoveredController;
import dev.planeguard.test.TestIssuer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The demo configured as production would be: an https issuer whose keys are in a file, a prod key
 * file. Debug routes and the route table answer exactly like a missing page; a controller no rule
 * covers stops startup.
 */
class ProdDemoTest {

  @TempDir static Path dir;
  static TestIssuer issuer;
  static Map<String, String> env;

  @BeforeAll
  static void setUp() throws Exception {
    issuer = TestIssuer.builder().issuerId("https://issuer.example.test").start();
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
    Path keys = dir.resolve("keys.jsonl");
    try (KeyFile file = KeyFile.openOrCreate(keys)) {
      file.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD), "t", Set.of(), null));
    }
    env = new HashMap<>();
    env.put("AOS_MODE", "prod");
    env.put("DB_AUTHORITY", "neon");
    env.put("SERVER_PORT", "0");
    env.put("PLANEGUARD_HUMAN_ISSUER", issuer.issuerId());
    env.put("PLANEGUARD_HUMAN_JWKS_URI", jwks.toUri().toString());
    env.put("PLANEGUARD_HUMAN_AUDIENCES", issuer.audience());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", keys.toString());
  }

  @AfterAll
  static void tearDown() {
    issuer.close();
  }

  @Test
  void debugRoutesAnswerLikeAMissingPageInProd() throws Exception {
    try (ConfigurableApplicationContext app = DemoApplication.start(env)) {
      DemoHttp http = new DemoHttp(app);
      String bearer = "Bearer " + issuer.token().sign();
      assertThat(http.send("GET", "/api/v1/accounts/me", "Authorization", bearer).statusCode())
          .isEqualTo(200);
      HttpResponse<String> plain = http.send("GET", "/no/such/page");
      for (String path : new String[] {"/__debug/openapi_inspect", "/actuator/planeguard"}) {
        HttpResponse<String> r = http.send("GET", path, "Authorization", bearer);
        assertThat(r.statusCode()).as(path).isEqualTo(404);
        assertThat(r.body()).as(path).isEqualTo(plain.body());
        assertThat(r.headers().map().keySet()).as(path).isEqualTo(plain.headers().map().keySet());
      }
    }
  }

  @Test
  void anUncoveredControllerStopsStartupInProd() {
    String extra = "--spring.main.sources=" + UncoveredController.class.getName();
    assertThatThrownBy(() -> DemoApplication.start(env, extra).close())
        .rootCause()
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("GET /api/v2/export")
        .hasMessageContaining(UncoveredController.class.getName() + "#export");
  }
}
