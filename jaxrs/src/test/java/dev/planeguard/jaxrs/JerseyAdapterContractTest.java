package dev.planeguard.jaxrs;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;

/** The shared adapter contract on Jersey 3.1 over Grizzly. */
class JerseyAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) {
    java.util.Set<Class<?>> classes = ContractResources.classes(app);
    JaxrsSuite.Server server =
        JerseyJaxrsTest.jersey(classes, ContractResources.feature(app, classes));
    return new ContractServer() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
