package dev.planeguard.samples.jaxrs;

import dev.planeguard.ConfigurationException;
import dev.planeguard.ContractSpec;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.jaxrs.PlaneGuardFeature;
import dev.planeguard.jaxrs.ResourceModel;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.jspecify.annotations.Nullable;

/**
 * planeguard in a Jakarta REST application: Jersey on an embedded Grizzly server whose only
 * security is {@link PlaneGuardFeature}.
 *
 * <pre>
 * AOS_MODE=local DB_AUTHORITY=local java -jar samples/jaxrs-demo/target/planeguard-jaxrs-demo.jar
 * </pre>
 *
 * <p>Settings come from the environment, as for the servlet demo: the contract variables, {@code
 * PLANEGUARD_POLICY_LOCATION} (the built-in copy of the example policy by default), the {@code
 * PLANEGUARD_HUMAN_*} issuer settings, {@code PLANEGUARD_MACHINE_KEYS_FILE}, {@code SERVER_PORT}
 * (8080) and {@code SERVER_ADDRESS} (127.0.0.1).
 *
 * <p>With {@code AOS_MODE=local} and no issuer or key file configured, it starts a local issuer on
 * loopback (real RSA keys, really signed tokens), creates one machine key in memory, and prints
 * {@code curl} commands for each plane. Any other mode must be configured: nothing defaults.
 */
public final class JaxrsDemo implements AutoCloseable {

  private final HttpServer server;
  private final int port;
  private final List<AutoCloseable> resources;
  private final @Nullable String demoToken;
  private final @Nullable ApiKey demoKey;

  private JaxrsDemo(
      HttpServer server,
      int port,
      List<AutoCloseable> resources,
      @Nullable String demoToken,
      @Nullable ApiKey demoKey) {
    this.server = server;
    this.port = port;
    this.resources = resources;
    this.demoToken = demoToken;
    this.demoKey = demoKey;
  }

  /** Starts the demo from the process environment and prints how to call it. */
  public static void main(String[] args) throws Exception {
    JaxrsDemo demo;
    try {
      demo = start(System.getenv());
    } catch (ConfigurationException e) {
      System.err.println(e.getMessage());
      for (Problem problem : e.problems()) {
        System.err.println("  " + problem);
      }
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  demo.close();
                  stopped.countDown();
                },
                "planeguard-demo-stop"));
    demo.printUsage(System.out);
    stopped.await();
  }

  /**
   * Starts the demo.
   *
   * @param env the environment to read settings from
   * @throws ConfigurationException listing every problem with the settings
   */
  public static JaxrsDemo start(Map<String, String> env) throws IOException {
    // Everything configured is checked exactly as every planeguard adapter checks it.
    PlaneGuardSettings.Builder settings = PlaneGuardSettings.fromEnvironment(env);
    List<AutoCloseable> resources = new ArrayList<>();
    if (blank(env.get(PlaneGuardSettings.Setting.POLICY_LOCATION.variable()))) {
      settings.policyLocation("planeguard.policy (built in)", builtInPolicy(), false);
    }

    // Demo only, and only in local mode: what is not configured is made up on loopback.
    boolean local =
        Mode.LOCAL == Mode.parse(String.valueOf(env.get(ContractSpec.MODE_VARIABLE)).strip());
    String demoToken = null;
    if (local && blank(env.get(PlaneGuardSettings.Setting.HUMAN_ISSUER.variable()))) {
      TestIssuer localIssuer =
          TestIssuer.builder().tokenLifetime(Duration.ofHours(1)).environment(env).start();
      resources.add(localIssuer);
      settings.issuer(
          PlaneGuardSettings.Issuer.of(localIssuer.issuerId())
              .withJwks(localIssuer.jwksUri().toString())
              .withAudiences(List.of(localIssuer.audience())));
      demoToken =
          localIssuer
              .token()
              .subject("demo-user")
              .claim("org_id", "demo")
              .scope("runs:read")
              .sign();
    }
    ApiKey demoKey = null;
    if (local && blank(env.get(PlaneGuardSettings.Setting.MACHINE_KEYS_FILE.variable()))) {
      KeyStore.Writable memory = KeyStore.inMemory();
      demoKey = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.LOCAL);
      memory.add(KeyRecord.of(demoKey, "demo", Set.of("runs:write"), null));
      settings.machineKeyStore(memory);
    }

    ResourceConfig config = new ResourceConfig().registerClasses(DemoResources.classes());
    ResourceModel model = ResourceModel.of(config);
    PlaneGuard planeguard;
    try {
      planeguard = PlaneGuard.assemble(model.addTo(settings).build());
    } catch (ConfigurationException e) {
      closeAll(resources);
      throw e;
    }
    resources.add(planeguard);
    config.register(
        PlaneGuardFeature.builder(planeguard, model).requestIdHeader("X-Request-Id").build());

    URI base =
        URI.create(
            "http://"
                + env.getOrDefault("SERVER_ADDRESS", "127.0.0.1")
                + ":"
                + Integer.parseInt(env.getOrDefault("SERVER_PORT", "8080"))
                + "/");
    HttpServer server = GrizzlyHttpServerFactory.createHttpServer(base, config);
    int port = server.getListener("grizzly").getPort();
    return new JaxrsDemo(server, port, resources, demoToken, demoKey);
  }

  /** The port the demo listens on. */
  public int port() {
    return port;
  }

  /** A token from the local issuer, or {@code null} if an issuer is configured. Demo only. */
  public @Nullable String demoToken() {
    return demoToken;
  }

  /** The in-memory machine key, or {@code null} if a key file is configured. Demo only. */
  public @Nullable ApiKey demoKey() {
    return demoKey;
  }

  /** Prints ready-to-paste {@code curl} commands, including the cross-plane mistakes. */
  void printUsage(PrintStream out) {
    String base = "http://127.0.0.1:" + port;
    out.println();
    out.println("planeguard Jakarta REST demo (Jersey) on " + base);
    out.println();
    out.println("# public");
    out.println("curl -i " + base + "/healthz");
    if (demoToken != null) {
      out.println("# human plane: a token from the local issuer (valid for one hour)");
      out.println(
          "curl -i -H 'Authorization: Bearer " + demoToken + "' " + base + "/api/v1/accounts/me");
    }
    if (demoKey != null) {
      out.println("# machine plane: the demo key (shown once; it lives in memory only)");
      out.println("curl -i -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/runs");
      out.println(
          "curl -i -X POST -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/runs");
      out.println("# mistakes: a machine key on a human route, a token on a machine route");
      out.println(
          "curl -i -H 'X-AOS-Key: " + demoKey.value() + "' " + base + "/api/v1/accounts/me");
    }
    if (demoToken != null) {
      out.println("curl -i -H 'Authorization: Bearer " + demoToken + "' " + base + "/api/v1/runs");
    }
    out.println("# no credential, an unmapped route, a path trick");
    out.println("curl -i " + base + "/api/v1/runs");
    out.println("curl -i " + base + "/api/v1/nothing");
    out.println("curl -i --path-as-is '" + base + "/healthz/..;/api/v1/runs'");
    out.println();
  }

  @Override
  public void close() {
    try {
      server.shutdownNow();
    } finally {
      closeAll(resources);
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        System.err.println("planeguard demo: error while closing: " + e.getClass().getName());
      }
    }
  }

  private static String builtInPolicy() throws IOException {
    try (InputStream in = JaxrsDemo.class.getResourceAsStream("/planeguard.policy")) {
      if (in == null) {
        throw new IOException("planeguard.policy is missing from the demo jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static boolean blank(@Nullable String value) {
    return value == null || value.isBlank();
  }
}
