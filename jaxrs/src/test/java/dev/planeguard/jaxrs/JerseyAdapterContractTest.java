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

  /**
   * Jakarta REST matches templates against the encoded path; Grizzly drops {@code ;jsessionid=} and
   * answers 500 to targets {@code java.net.URI} cannot parse (docs/jaxrs.md, "Where the runtimes
   * differ").
   */
  @Override
  protected java.util.Set<Deviation> deviations() {
    return java.util.Set.of(
        Deviation.REWRITES_REQUESTS,
        Deviation.MATCHES_ENCODED_PATH,
        Deviation.FAILS_UNPARSEABLE_TARGETS);
  }
}
