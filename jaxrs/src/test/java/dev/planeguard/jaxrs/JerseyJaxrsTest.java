package dev.planeguard.jaxrs;

import java.net.URI;
import java.util.Set;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/** The suite on Jersey 3.1 over Grizzly. */
class JerseyJaxrsTest extends JaxrsSuite {

  @Override
  Server start(Set<Class<?>> classes, PlaneGuardFeature feature) {
    return jersey(classes, feature);
  }

  static Server jersey(Set<Class<?>> classes, Object feature) {
    ResourceConfig config = new ResourceConfig().registerClasses(classes).register(feature);
    HttpServer server =
        GrizzlyHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:0/"), config);
    int port = server.getListener("grizzly").getPort();
    return new Server() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        server.shutdownNow();
      }
    };
  }

  @Override
  int unparsableTargetStatus() {
    return 500;
  }

  @Override
  String runtime() {
    return "Jersey";
  }
}
