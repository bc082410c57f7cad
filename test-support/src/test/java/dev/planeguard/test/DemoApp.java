package dev.planeguard.test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.planeguard.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small HTTP application on the JDK's server for the parity kit's own tests: a routing table on
 * the decoded path, behind an auth layer that subclasses supply — planeguard's {@code Enforcer}, or
 * a deliberately naive one.
 */
abstract class DemoApp implements AutoCloseable {

  static final String POLICY_TEXT =
      """
      human      /api/v1/accounts/**
      machine    /api/v1/runs/**         methods=GET,HEAD
      machine    /api/v1/telemetry/**
      public     /healthz
      public     /assets/**
      """;

  static final Policy POLICY = Policy.parse(POLICY_TEXT, "demo.policy");

  /** The application's handlers: method and decoded path to status. */
  static final Map<String, Integer> HANDLERS =
      Map.of(
          "GET /api/v1/accounts/me", 200,
          "GET /api/v1/runs/42", 200,
          "POST /api/v1/telemetry/events", 202,
          "GET /healthz", 200,
          "GET /assets/app.js", 200);

  /** The routes of the demo, as the parity kit is told them. */
  static PathConfusionKit.Builder routes(URI base) {
    return PathConfusionKit.against(base)
        .humanRoute("GET", "/api/v1/accounts/me")
        .machineRoute("GET", "/api/v1/runs/42")
        .machineRoute("POST", "/api/v1/telemetry/events")
        .publicRoute("GET", "/healthz")
        .publicRoute("GET", "/assets/app.js")
        .unmappedRoute("GET", "/admin");
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  DemoApp() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::exchange);
    server.setExecutor(executor);
    server.start();
  }

  URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Decides the request; returns the status to answer, or 0 to dispatch {@code dispatchPath}. */
  abstract int authorize(HttpExchange exchange);

  /** The path the application routes on. */
  abstract String dispatchPath(HttpExchange exchange);

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status = authorize(exchange);
      if (status == 0) {
        Integer handled = HANDLERS.get(exchange.getRequestMethod() + " " + dispatchPath(exchange));
        status = handled == null ? 404 : handled;
      }
      exchange.sendResponseHeaders(status, -1);
    } catch (RuntimeException e) {
      exchange.sendResponseHeaders(500, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
