package dev.planeguard.servlet;

import jakarta.servlet.ServletContainerInitializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.ErrorPage;

/** Embedded Tomcat 11 with its default connector settings, except a 16 KiB header limit. */
final class TomcatServer implements TestServer {

  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
  }

  private final Tomcat tomcat;
  private final Connector connector;

  private TomcatServer(Tomcat tomcat, Connector connector) {
    this.tomcat = tomcat;
    this.connector = connector;
  }

  static TomcatServer start(List<TestApp> apps) throws Exception {
    Path base = Files.createTempDirectory("planeguard-tomcat");
    Tomcat tomcat = tomcat(base);
    for (TestApp app : apps) {
      Context context = addContext(tomcat, base, app.contextPath, app);
      for (Map.Entry<Integer, String> page : app.errorPages.entrySet()) {
        ErrorPage errorPage = new ErrorPage();
        errorPage.setErrorCode(page.getKey());
        errorPage.setLocation(page.getValue());
        context.addErrorPage(errorPage);
      }
    }
    tomcat.start();
    return new TomcatServer(tomcat, tomcat.getConnector());
  }

  /** One application at {@code contextPath}, set up by {@code initializer}. */
  static TomcatServer start(String contextPath, ServletContainerInitializer initializer)
      throws Exception {
    Path base = Files.createTempDirectory("planeguard-tomcat");
    Tomcat tomcat = tomcat(base);
    addContext(tomcat, base, contextPath, initializer);
    tomcat.start();
    return new TomcatServer(tomcat, tomcat.getConnector());
  }

  private static Tomcat tomcat(Path base) {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxHttpHeaderSize", Integer.toString(MAX_HEADER_BYTES));
    tomcat.setConnector(connector);
    tomcat.getHost().setAutoDeploy(false);
    return tomcat;
  }

  private static Context addContext(
      Tomcat tomcat, Path base, String contextPath, ServletContainerInitializer initializer)
      throws java.io.IOException {
    Path docBase = Files.createDirectories(base.resolve("docs" + contextPath.replace('/', '_')));
    Context context = tomcat.addContext(contextPath, docBase.toString());
    context.addServletContainerInitializer(initializer, null);
    if (context instanceof org.apache.catalina.core.StandardContext standard) {
      // Leak detection needs --add-opens and only warns; these tests start one server per class.
      standard.setClearReferencesThreadLocals(false);
      standard.setClearReferencesRmiTargets(false);
    }
    return context;
  }

  @Override
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public String name() {
    return "Tomcat " + org.apache.catalina.util.ServerInfo.getServerNumber();
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (org.apache.catalina.LifecycleException e) {
      throw new IllegalStateException(e);
    }
  }
}
