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

  /**
   * Jakarta REST matches templates against the encoded path; Undertow reads {@code get} as {@code
   * GET} and a tab in a header value as a space (docs/jaxrs.md, "Where the runtimes differ").
   */
  @Override
  protected java.util.Set<Deviation> deviations() {
    return java.util.Set.of(Deviation.REWRITES_REQUESTS, Deviation.MATCHES_ENCODED_PATH);
  }
}
