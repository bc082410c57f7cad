package dev.planeguard.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.util.Jetty;

/** Embedded Jetty 12 (ee10) with its default compliance settings, except a 16 KiB header limit. */
final class JettyServer implements TestServer {

  private final Server server;
  private final ServerConnector connector;

  private JettyServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  static JettyServer start(List<TestApp> apps) throws Exception {
    Server server = new Server();
    ServerConnector connector = connector(server);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    for (TestApp app : apps) {
      ServletContextHandler context = context(app.contextPath, app);
      ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
      for (Map.Entry<Integer, String> page : app.errorPages.entrySet()) {
        errors.addErrorPage(page.getKey(), page.getValue());
      }
      context.setErrorHandler(errors);
      contexts.addHandler(context);
    }
    server.setHandler(contexts);
    server.start();
    return new JettyServer(server, connector);
  }

  /** One application at {@code contextPath}, set up by {@code initializer}. */
  static JettyServer start(String contextPath, ServletContainerInitializer initializer)
      throws Exception {
    Server server = new Server();
    ServerConnector connector = connector(server);
    server.setHandler(context(contextPath, initializer));
    server.start();
    return new JettyServer(server, connector);
  }

  private static ServerConnector connector(Server server) {
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(MAX_HEADER_BYTES);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    return connector;
  }

  private static ServletContextHandler context(
      String contextPath, ServletContainerInitializer initializer) {
    ServletContextHandler context =
        new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
    context.addServletContainerInitializer(initializer);
    return context;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public String name() {
    return "Jetty " + Jetty.VERSION;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
