package dev.planeguard.webflux.internal;

import jakarta.servlet.ServletContainerInitializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.JettyCoreHttpHandlerAdapter;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** The real servers this module's tests run on: on 127.0.0.1, each on a free port. */
public final class TestServers {

  private TestServers() {}

  /** {@code handler} on Reactor Netty, started. */
  public static DisposableServer reactorNetty(HttpHandler handler) {
    return HttpServer.create()
        .host("127.0.0.1")
        .port(0)
        .handle(new ReactorHttpHandlerAdapter(handler))
        .bindNow();
  }

  /**
   * Tomcat with one root context, which {@code initializer} sets up, started; its files under
   * {@code dir}.
   */
  public static Tomcat tomcat(Path dir, ServletContainerInitializer initializer)
      throws IOException, LifecycleException {
    Logger.getLogger("org.apache").setLevel(Level.WARNING);
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(dir.resolve("tomcat").toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getHost().setAutoDeploy(false);
    Context root = tomcat.addContext("", Files.createDirectories(dir.resolve("docs")).toString());
    root.addServletContainerInitializer(initializer, null);
    tomcat.start();
    return tomcat;
  }

  /**
   * {@code handler} on Jetty 12 core ({@code JettyCoreHttpHandlerAdapter}, no servlet API), with
   * Jetty's default URI and header compliance, started. Its port is {@link #port(Server)}.
   */
  public static Server jetty(HttpHandler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new JettyCoreHttpHandlerAdapter(handler));
    server.start();
    return server;
  }

  /** The port a server {@link #jetty} started listens on. */
  public static int port(Server jetty) {
    return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
  }
}
