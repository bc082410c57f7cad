package dev.planeguard.samples.servlet;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Enforcer;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.samples.plain.PlainDemo;
import dev.planeguard.servlet.PlaneGuardFilter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
  private final PlainDemo setup;

  private ServletDemo(Tomcat tomcat, int port, PlainDemo setup) {
    this.tomcat = tomcat;
    this.port = port;
    this.setup = setup;
  }

  /** Starts the demo from the process environment and prints how to call it. */
  public static void main(String[] args) throws Exception {
    ServletDemo demo = PlainDemo.startOrExit(() -> start(System.getenv()));
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
    PlainDemo setup = PlainDemo.prepare(env, ServletDemo.class);
    Enforcer enforcer = setup.assemble(settings -> settings).enforcer();

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
    return new ServletDemo(tomcat, connector.getLocalPort(), setup);
  }

  /** The port the demo listens on. */
  public int port() {
    return port;
  }

  /** A token from the local issuer, or {@code null} if an issuer is configured. Demo only. */
  public @Nullable String demoToken() {
    return setup.demoToken();
  }

  /** The in-memory machine key, or {@code null} if a key file is configured. Demo only. */
  public @Nullable ApiKey demoKey() {
    return setup.demoKey();
  }

  /** Prints ready-to-paste {@code curl} commands, including the cross-plane mistakes. */
  void printUsage(PrintStream out) {
    setup.printUsage(out, "servlet demo", port);
  }

  @Override
  public void close() throws LifecycleException {
    try {
      tomcat.stop();
      tomcat.destroy();
    } finally {
      setup.close();
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("planeguard demo: error while stopping: " + e.getClass().getName());
    }
  }
}
