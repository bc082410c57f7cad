package dev.planeguard.samples.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What every Spring demo must do over HTTP, whichever web framework serves it: each check asserts
 * exact statuses and reasons.
 */
public final class DemoChecks {

  /** The answer to an unmapped route: a plain 404, like any missing page. */
  public static final String NOT_FOUND =
      "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404}";

  private DemoChecks() {}

  /**
   * A human call, a machine call, a cross-plane call, a missing credential and an unmapped route.
   *
   * @param token a human token of subject {@code demo-user}
   * @param key a machine key
   */
  public static void enforcesBothPlanes(DemoHttp http, String token, String key) {
    HttpResponse<String> me =
        http.send("GET", "/api/v1/accounts/me", "Authorization", "Bearer " + token);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).contains("\"plane\":\"human\"", "\"subject\":\"demo-user\"");
    assertThat(http.send("GET", "/api/v1/runs", "X-AOS-Key", key).statusCode()).isEqualTo(200);
    HttpResponse<String> crossPlane = http.send("GET", "/api/v1/accounts/me", "X-AOS-Key", key);
    assertThat(crossPlane.statusCode()).isEqualTo(401);
    assertThat(crossPlane.body())
        .contains("\"reason\":\"CROSS_PLANE_CREDENTIAL\"")
        .doesNotContain(key);
    assertThat(crossPlane.headers().firstValue("WWW-Authenticate"))
        .get()
        .asString()
        .startsWith("Bearer");
    HttpResponse<String> missing = http.send("GET", "/api/v1/runs");
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("\"reason\":\"MISSING_CREDENTIAL\"");
    HttpResponse<String> unmapped = http.send("GET", "/no/such/route");
    assertThat(unmapped.statusCode()).isEqualTo(404);
    assertThat(unmapped.body()).isEqualTo(NOT_FOUND);
  }

  /** With a demo's own token and key, as its local mode wrote them to {@code out}. */
  public static void enforcesBothPlanes(DemoHttp http, Path out) throws IOException {
    enforcesBothPlanes(
        http,
        Files.readString(out.resolve("demo-token")).strip(),
        Files.readString(out.resolve("demo-key")).strip());
  }

  /**
   * In prod, debug routes and the route table endpoint answer exactly like a missing page, even to
   * a valid human token.
   */
  public static void debugRoutesAnswerLikeAMissingPage(DemoHttp http, String bearer) {
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

  /**
   * The demos configured as production would be: {@code issuer}'s keys in a file, a prod key file.
   */
  public static Map<String, String> prodEnvironment(Path dir, TestIssuer issuer)
      throws IOException {
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(jwks, issuer.publicJwks().toString());
    Path keys = dir.resolve("keys.jsonl");
    try (KeyFile file = KeyFile.openOrCreate(keys)) {
      file.add(KeyRecord.of(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD), "t", Set.of(), null));
    }
    Map<String, String> env = new HashMap<>();
    env.put("AOS_MODE", "prod");
    env.put("DB_AUTHORITY", "neon");
    env.put("SERVER_PORT", "0");
    env.put("PLANEGUARD_HUMAN_ISSUER", issuer.issuerId());
    env.put("PLANEGUARD_HUMAN_JWKS_URI", jwks.toUri().toString());
    env.put("PLANEGUARD_HUMAN_AUDIENCES", issuer.audience());
    env.put("PLANEGUARD_MACHINE_KEYS_FILE", keys.toString());
    return env;
  }

  /**
   * A demo with the starter's auto-configuration excluded, in local mode: it serves, and makes up
   * no caller.
   */
  public static void servesWithoutAPrincipal(DemoHttp http) {
    HttpResponse<String> me = http.send("GET", "/api/v1/accounts/me");
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).isEqualTo("{\"plane\":\"none\"}");
    HttpResponse<String> run = http.send("POST", "/api/v1/runs");
    assertThat(run.statusCode()).isEqualTo(201);
    assertThat(run.body()).isEqualTo("{\"id\":\"run-1\"}");
  }
}
