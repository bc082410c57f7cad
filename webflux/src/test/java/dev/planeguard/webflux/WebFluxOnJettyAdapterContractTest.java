package dev.planeguard.webflux;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;
import dev.planeguard.webflux.internal.TestServers;
import org.eclipse.jetty.server.Server;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;

/**
 * The adapter contract with the same WebFlux application on Jetty 12 core ({@code
 * JettyCoreHttpHandlerAdapter}, the server Spring Boot chooses for WebFlux when Jetty is on the
 * class path): Jetty parses the request line, and the headers are read through Spring.
 */
class WebFluxOnJettyAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    AnnotationConfigApplicationContext context = WebFluxAdapterContractTest.context(app);
    Server jetty;
    try {
      jetty = TestServers.jetty(WebHttpHandlerBuilder.applicationContext(context).build());
    } catch (Exception e) {
      context.close();
      throw e;
    }
    return new ContractServer() {
      @Override
      public int port() {
        return TestServers.port(jetty);
      }

      @Override
      public void close() {
        try {
          jetty.stop();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          context.close();
        }
      }
    };
  }
}
