package dev.planeguard.webflux;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;
import dev.planeguard.webflux.internal.TestServers;
import org.eclipse.jetty.server.Server;

/**
 * The adapter contract with the same WebFlux application on Jetty 12 core ({@code
 * JettyCoreHttpHandlerAdapter}, the server Spring Boot chooses for WebFlux when Jetty is on the
 * class path): Jetty parses the request line, and the headers are read through Spring.
 */
class WebFluxOnJettyAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    return WebFluxAdapterContractTest.serve(
        app,
        handler -> {
          Server jetty = TestServers.jetty(handler);
          return new WebFluxAdapterContractTest.Running(() -> TestServers.port(jetty), jetty::stop);
        });
  }
}
