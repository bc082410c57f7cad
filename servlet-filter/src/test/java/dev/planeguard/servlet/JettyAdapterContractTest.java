package dev.planeguard.servlet;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;

/** The adapter contract on Jetty 12: the servlet filter and a router servlet behind it. */
class JettyAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    return JettyServer.start("", new ContractRouter(app));
  }
}
