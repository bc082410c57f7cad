package dev.planeguard.samples.boot;

import dev.planeguard.Enforcer;
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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The Spring Boot demo: the routes of {@link DemoApi}, guarded by nothing but the planeguard
 * starter and {@code planeguard.policy}.
 *
 * <pre>
 * AOS_MODE=local DB_AUTHORITY=local java -jar samples/spring-boot-demo/target/planeguard-demo.jar
 * </pre>
 *
 * <p>With {@code AOS_MODE=local} and neither {@code PLANEGUARD_HUMAN_ISSUER} nor {@code
 * PLANEGUARD_HUMAN_JWKS_URI} set, it starts the test kit's issuer on loopback (real keys, really
 * signed tokens; it refuses to start in any other mode); without {@code
 * PLANEGUARD_MACHINE_KEYS_FILE}, it creates a key file with one machine key. It prints a {@code
 * curl} command for each plane and each cross-plane mistake, and writes the demo token and key to
 * {@code demo-token} and {@code demo-key} in {@code PLANEGUARD_DEMO_OUTPUT} (a new temporary
 * directory by default), for scripts. In any other mode nothing is made up: configure it like any
 * service.
 */
@SpringBootApplication
public class DemoApplication {

  /**
   * Stops startup, before the server listens, when planeguard is not in the application and the
   * mode is not {@code local}. The demo's routes check no credential themselves: with the starter's
   * auto-configuration excluded (Spring's own {@code spring.autoconfigure.exclude}, which {@code
   * benchmarks/e2e.sh} uses to measure the demo without planeguard) they would be open to anyone.
   * planeguard has no switch that turns it off; this guards the demo against Spring's.
   */
  @Bean
  static SmartInitializingSingleton planeGuardRequiredOutsideLocal(
      ObjectProvider<Enforcer> enforcer, Environment environment) {
    return () -> {
      if (enforcer.getIfAvailable() == null
          && Mode.parse(environment.getProperty("AOS_MODE")) != Mode.LOCAL) {
        throw new IllegalStateException(
            "planeguard is not in this application (its auto-configuration is excluded), so"
                + " nothing would guard the demo's routes. The demo runs without planeguard only"
                + " with AOS_MODE=local; remove spring.autoconfigure.exclude to run it in any"
                + " other mode.");
      }
    };
  }

  /** Starts the demo from the process environment. */
  public static void main(String[] args) throws IOException {
    start(System.getenv(), args);
  }

  /**
   * Starts the demo.
   *
   * @param env the environment; its entries are also the lowest-priority Spring properties, so
   *     tests can run several demos with different settings in one JVM
   */
  public static ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws IOException {
    Map<String, Object> defaults = new HashMap<>();
    LocalDemo local = LocalDemo.prepare(env, defaults);
    SpringApplication app = new SpringApplication(DemoApplication.class);
    app.setDefaultProperties(defaults);
    // env read with environment-variable naming (PLANEGUARD_MACHINE_KEYS_FILE), below the real
    // process environment; for main() it is the process environment itself.
    Map<String, Object> variables = new HashMap<>(env);
    app.addInitializers(
        context ->
            context
                .getEnvironment()
                .getPropertySources()
                .addLast(new SystemEnvironmentPropertySource("demo-systemEnvironment", variables)));
    if (local != null) {
      app.addListeners(
          (ApplicationReadyEvent e) ->
              local.printUsage(
                  System.out,
                  e.getApplicationContext().getEnvironment().getProperty("local.server.port"),
                  e.getApplicationContext()
                      .getEnvironment()
                      .getProperty("planeguard.audit.ledger")));
      app.addListeners((ContextClosedEvent e) -> local.close());
    }
    try {
      return app.run(args);
    } catch (RuntimeException e) {
      if (local != null) {
        local.close();
      }
      throw e;
    }
  }

  /** What {@code AOS_MODE=local} makes up: an issuer, a token, a key file and a key. */
  static final class LocalDemo implements AutoCloseable {
    /** Requests per minute of each caller in the local demo, unless the environment says. */
    static final int DEMO_RPM = 10;

    final @Nullable TestIssuer issuer;
    final @Nullable String token;
    final @Nullable ApiKey key;
    final Path output;

    private LocalDemo(
        @Nullable TestIssuer issuer, @Nullable String token, @Nullable ApiKey key, Path output) {
      this.issuer = issuer;
      this.token = token;
      this.key = key;
      this.output = output;
    }

    static @Nullable LocalDemo prepare(Map<String, String> env, Map<String, Object> properties)
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
      if (blank(env.get("PLANEGUARD_HUMAN_ISSUER"))
          && blank(env.get("PLANEGUARD_HUMAN_JWKS_URI"))) {
        issuer = TestIssuer.builder().tokenLifetime(Duration.ofHours(1)).environment(env).start();
        properties.put("planeguard.human.issuer", issuer.issuerId());
        properties.put("planeguard.human.jwks-uri", issuer.jwksUri().toString());
        properties.put("planeguard.human.audiences", issuer.audience());
        token =
            issuer.token().subject("demo-user").claim("org_id", "demo").scope("runs:read").sign();
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
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file);
      }
      Files.writeString(file, value, StandardCharsets.UTF_8);
    }

    /** Ready-to-paste commands. Local mode only: the token and key are demo credentials. */
    void printUsage(PrintStream out, @Nullable String port, @Nullable String ledger) {
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
        out.println(
            "# every decision above is in the audit ledger: check its chain, count the uses");
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
}
