package dev.planeguard.servlet;

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
    HttpConfiguration config = new HttpConfiguration();
    config.setRequestHeaderSize(MAX_HEADER_BYTES);
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ContextHandlerCollection contexts = new ContextHandlerCollection();
    for (TestApp app : apps) {
      ServletContextHandler context =
          new ServletContextHandler(app.contextPath.isEmpty() ? "/" : app.contextPath);
      context.addServletContainerInitializer(app);
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
