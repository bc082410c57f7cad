package dev.planeguard.samples.support;

import dev.planeguard.Mode;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What {@code AOS_MODE=local} makes up for a demo: an issuer, a token, a key file and a key, and
 * the {@code curl} commands that use them. Framework-free: the Spring MVC and WebFlux demos pass
 * its properties to Spring and print its usage once their server listens.
 */
public final class LocalDemo implements AutoCloseable {
  /** Requests per minute of each caller in the local demo, unless the environment says. */
  public static final int DEMO_RPM = 10;

  private final @Nullable TestIssuer issuer;
  private final @Nullable String token;
  private final @Nullable ApiKey key;
  private final Path output;

  private LocalDemo(
      @Nullable TestIssuer issuer, @Nullable String token, @Nullable ApiKey key, Path output) {
    this.issuer = issuer;
    this.token = token;
    this.key = key;
    this.output = output;
  }

  /**
   * Makes up what the environment leaves out, or returns null outside {@code AOS_MODE=local}:
   * nothing is made up in any other mode.
   *
   * @param properties receives the Spring properties of what was made up (lowest priority: the
   *     environment overrides them)
   */
  public static @Nullable LocalDemo prepare(Map<String, String> env, Map<String, Object> properties)
      throws IOException {
    if (!"local".equalsIgnoreCase(String.valueOf(env.get("AOS_MODE")).strip())) {
      return null;
    }
    String out = env.get("PLANEGUARD_DEMO_OUTPUT");
    Path output =
        out == null || out.isBlank()
            ? Files.createTempDirectory("planeguard-demo")
            : Files.createDirectories(Path.of(out));
    TestIssuer issuer = null;
    String token = null;
    if (blank(env.get("PLANEGUARD_HUMAN_ISSUER")) && blank(env.get("PLANEGUARD_HUMAN_JWKS_URI"))) {
      issuer = TestIssuer.builder().tokenLifetime(Duration.ofHours(1)).environment(env).start();
      properties.put("planeguard.human.issuer", issuer.issuerId());
      properties.put("planeguard.human.jwks-uri", issuer.jwksUri().toString());
      properties.put("planeguard.human.audiences", issuer.audience());
      token = issuer.token().subject("demo-user").claim("org_id", "demo").scope("runs:read").sign();
      secretFile(output.resolve("demo-token"), token);
    }
    if (blank(env.get("RATE_LIMIT_ENABLED")) && blank(env.get("RATE_LIMIT_DEFAULT_RPM"))) {
      // Low on purpose, so that the printed loop shows a 429. The contract variables themselves
      // (lowest-priority properties: the environment overrides them) are what users set.
      properties.put("RATE_LIMIT_ENABLED", "true");
      properties.put("RATE_LIMIT_DEFAULT_RPM", String.valueOf(DEMO_RPM));
    }
    ApiKey key = null;
    if (blank(env.get("PLANEGUARD_MACHINE_KEYS_FILE"))) {
      Path keysFile = output.resolve("machine-keys.jsonl");
      Files.deleteIfExists(keysFile);
      key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      try (KeyFile file = KeyFile.openOrCreate(keysFile)) {
        file.add(KeyRecord.of(key, "demo", Set.of("runs:write"), null));
      }
      properties.put("planeguard.machine.keys-file", keysFile.toString());
      secretFile(output.resolve("demo-key"), key.value());
    }
    return new LocalDemo(issuer, token, key, output);
  }

  private static boolean blank(@Nullable String s) {
    return s == null || s.isBlank();
  }

  private static void secretFile(Path file, String value) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, value, StandardCharsets.UTF_8);
  }

  /** Ready-to-paste commands. Local mode only: the token and key are demo credentials. */
  public void printUsage(PrintStream out, @Nullable String port, @Nullable String ledger) {
    String base = "http://127.0.0.1:" + port;
    String t = token == null ? "$TOKEN" : token;
    String k = key == null ? "$KEY" : key.value();
    out.println();
    out.println("planeguard demo (AOS_MODE=local) on " + base);
    out.println("Demo credentials are in " + output + " (demo-token, demo-key).");
    out.println();
    out.println("# human plane: 200, the caller as JSON");
    out.println("curl -i " + base + "/api/v1/accounts/me -H 'Authorization: Bearer " + t + "'");
    out.println("# machine plane: 201");
    out.println("curl -i -X POST " + base + "/api/v1/runs -H 'X-AOS-Key: " + k + "'");
    out.println("# a machine key on a human route: 401 CROSS_PLANE_CREDENTIAL");
    out.println("curl -i " + base + "/api/v1/accounts/me -H 'X-AOS-Key: " + k + "'");
    out.println("# a JWT on a machine route: 401 CROSS_PLANE_CREDENTIAL");
    out.println("curl -i " + base + "/api/v1/runs -H 'Authorization: Bearer " + t + "'");
    out.println("# both at once: 400 AMBIGUOUS_CREDENTIALS");
    out.println(
        "curl -i "
            + base
            + "/api/v1/runs -H 'X-AOS-Key: "
            + k
            + "' -H 'Authorization: Bearer "
            + t
            + "'");
    out.println("# an unmapped route: 404, like any missing page");
    out.println("curl -i " + base + "/api/v1/admin");
    out.println("# a debug route (404 in prod): 200 with a human token");
    out.println(
        "curl -i " + base + "/__debug/openapi_inspect -H 'Authorization: Bearer " + t + "'");
    out.println(
        "# rate limits: "
            + DEMO_RPM
            + " requests a minute per caller here (RATE_LIMIT_DEFAULT_RPM), then 429"
            + " RATE_LIMITED with Retry-After; see the RateLimit headers of any answer");
    out.println(
        "for i in $(seq 1 "
            + (DEMO_RPM + 2)
            + "); do curl -s -o /dev/null -w '%{http_code} ' "
            + base
            + "/api/v1/runs -H 'X-AOS-Key: "
            + k
            + "'; done; echo");
    out.println("# the route table, with each rule's origin (a debug route too)");
    out.println("curl -s " + base + "/actuator/planeguard -H 'Authorization: Bearer " + t + "'");
    if (ledger != null && !ledger.isBlank()) {
      out.println("# every decision above is in the audit ledger: check its chain, count the uses");
      out.println("java -jar cli/target/planeguard-cli.jar audit verify " + ledger);
      out.println("java -jar cli/target/planeguard-cli.jar audit usage " + ledger + " --by key");
    }
    out.println();
  }

  @Override
  public void close() {
    if (issuer != null) {
      issuer.close();
    }
  }
}
