package dev.planeguard.samples.jaxrs;

import dev.planeguard.ConfigurationException;
import dev.planeguard.PlaneGuard;
import dev.planeguard.jaxrs.PlaneGuardFeature;
import dev.planeguard.jaxrs.ResourceModel;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.samples.plain.PlainDemo;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.Map;
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
  private final PlainDemo setup;

  private JaxrsDemo(HttpServer server, int port, PlainDemo setup) {
    this.server = server;
    this.port = port;
    this.setup = setup;
  }

  /** Starts the demo from the process environment and prints how to call it. */
  public static void main(String[] args) throws Exception {
    JaxrsDemo demo = PlainDemo.startOrExit(() -> start(System.getenv()));
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
    PlainDemo setup = PlainDemo.prepare(env, JaxrsDemo.class);
    ResourceConfig config = new ResourceConfig().registerClasses(DemoResources.classes());
    ResourceModel model = ResourceModel.of(config);
    PlaneGuard planeguard = setup.assemble(model::addTo);
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
    return new JaxrsDemo(server, port, setup);
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
    setup.printUsage(out, "Jakarta REST demo (Jersey)", port);
  }

  @Override
  public void close() {
    try {
      server.shutdownNow();
    } finally {
      setup.close();
    }
  }
}
