package dev.planeguard.jaxrs;

import io.undertow.Undertow;
import jakarta.ws.rs.core.Application;
import java.net.InetSocketAddress;
import java.util.Set;
import org.jboss.resteasy.plugins.server.undertow.UndertowJaxrsServer;

/** The suite on RESTEasy 6.2 over Undertow. */
class ResteasyJaxrsTest extends JaxrsSuite {

  @Override
  Server start(Set<Class<?>> classes, PlaneGuardFeature feature) {
    return resteasy(classes, feature);
  }

  /** Undertow's RESTEasy server, telling its ephemeral port. */
  private static final class PortServer extends UndertowJaxrsServer {
    int port() {
      return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }
  }

  static Server resteasy(Set<Class<?>> classes, Object feature) {
    PortServer server = new PortServer();
    server.start(Undertow.builder().addHttpListener(0, "127.0.0.1"));
    server.deploy(
        new Application() {
          @Override
          public Set<Class<?>> getClasses() {
            return classes;
          }

          @Override
          @SuppressWarnings("deprecation") // how RESTEasy's embedded server takes instances
          public Set<Object> getSingletons() {
            return Set.of(feature);
          }
        },
        "/");
    int port = server.port();
    return new Server() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  @Override
  int unparsableTargetStatus() {
    return 400;
  }

  @Override
  String runtime() {
    return "RESTEasy";
  }
}
