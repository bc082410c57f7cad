package dev.planeguard.samples.servlet;

import dev.planeguard.ConfigurationException;
import dev.planeguard.ContractSpec;
import dev.planeguard.Enforcer;
import dev.planeguard.Mode;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.servlet.PlaneGuardFilter;
import dev.planeguard.test.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;

/**
 * planeguard in a plain servlet application: an embedded Tomcat whose only security is {@link
 * PlaneGuardFilter}, registered first on the context.
 *
 * <pre>
 * AOS_MODE=local DB_AUTHORITY=local java -jar samples/servlet-demo/target/planeguard-servlet-demo.jar
 * </pre>
 *
 * <p>Settings come from the environment: the contract variables ({@code AOS_MODE}, {@code
 * DB_AUTHORITY}, ...), {@code PLANEGUARD_POLICY_LOCATION} (the built-in copy of the example policy
 * by default), {@code PLANEGUARD_HUMAN_ISSUER}, {@code PLANEGUARD_HUMAN_JWKS_URI} (OIDC discovery
 * when unset), {@code PLANEGUARD_HUMAN_AUDIENCES}, {@code PLANEGUARD_HUMAN_AUTHORIZED_PARTIES},
 * {@code PLANEGUARD_MACHINE_KEYS_FILE}, {@code SERVER_PORT} (8080) and {@code SERVER_ADDRESS}
 * (127.0.0.1).
 *
 * <p>With {@code AOS_MODE=local} and no issuer or key file configured, it starts a local issuer on
 * loopback (real RSA keys, really signed tokens) and creates one machine key in memory, and prints
 * {@code curl} commands for each plane. Any other mode must be configured: nothing defaults.
 */
public final class ServletDemo implements AutoCloseable {

  private final Tomcat tomcat;
  private final int port;
  private final List<AutoCloseable> resources;
  private final @Nullable String demoToken;
  private final @Nullable ApiKey demoKey;

  private ServletDemo(
      Tomcat tomcat,
      int port,
      List<AutoCloseable> resources,
      @Nullable String demoToken,
      @Nullable ApiKey demoKey) {
    this.tomcat = tomcat;
    this.port = port;
    this.resources = resources;
    this.demoToken = demoToken;
    this.demoKey = demoKey;
  }

  /** Starts the demo from the process environment and prints how to call it. */
  public static void main(String[] args) throws Exception {
    ServletDemo demo;
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
    Runtime.getRuntime().addShutdownHook(new Thread(demo::closeQuietly, "planeguard-demo-stop"));
    demo.printUsage(System.out);
    demo.tomcat.getServer().await();
  }

  /**
   * Starts the demo.
   *
   * @param env the environment to read settings from
   * @throws ConfigurationException listing every problem with the settings
   */
  public static ServletDemo start(Map<String, String> env) throws IOException, LifecycleException {
    // Everything configured is checked exactly as every planeguard adapter checks it.
    PlaneGuardSettings.Builder settings = PlaneGuardSettings.fromEnvironment(env);
    List<AutoCloseable> resources = new ArrayList<>();
    if (blank(env.get(PlaneGuardSettings.Setting.POLICY_LOCATION.variable()))) {
      settings.policyLocation("planeguard.policy (built in)", builtInPolicy(), false);
    }

    // Demo only, and only in local mode: what is not configured is made up on loopback.
    boolean local =
        Mode.LOCAL == Mode.parse(String.valueOf(env.get(ContractSpec.MODE_VARIABLE)).strip());
    @Nullable String demoToken = null;
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

    PlaneGuard planeguard;
    try {
      planeguard = PlaneGuard.assemble(settings.build());
    } catch (ConfigurationException e) {
      closeAll(resources);
      throw e;
    }
    resources.add(planeguard);
    Enforcer enforcer = planeguard.enforcer();

    Path base = Files.createTempDirectory("planeguard-servlet-demo");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(Integer.parseInt(env.getOrDefault("SERVER_PORT", "8080")));
    connector.setProperty("address", env.getOrDefault("SERVER_ADDRESS", "127.0.0.1"));
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    context.addServletContainerInitializer(
        (classes, servletContext) -> {
          // First: nothing runs before planeguard has decided.
          PlaneGuardFilter.builder(enforcer)
              .requestIdHeader("X-Request-Id")
              .build()
              .registerOn(servletContext);
          DemoApi.register(servletContext);
        },
        null);
    tomcat.start();
    return new ServletDemo(tomcat, connector.getLocalPort(), resources, demoToken, demoKey);
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
    out.println("planeguard servlet demo on " + base);
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
  public void close() throws LifecycleException {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      closeAll(resources);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("planeguard demo: error while stopping: " + e.getClass().getName());
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
    try (InputStream in = ServletDemo.class.getResourceAsStream("/planeguard.policy")) {
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
