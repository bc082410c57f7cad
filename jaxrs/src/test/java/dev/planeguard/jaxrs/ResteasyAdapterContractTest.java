package dev.planeguard.jaxrs;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;

/** The shared adapter contract on RESTEasy 6.2 over Undertow. */
class ResteasyAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) {
    java.util.Set<Class<?>> classes = ContractResources.classes(app);
    JaxrsSuite.Server server =
        ResteasyJaxrsTest.resteasy(classes, ContractResources.feature(app, classes));
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
