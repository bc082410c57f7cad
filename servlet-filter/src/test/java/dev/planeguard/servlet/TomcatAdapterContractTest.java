package dev.planeguard.servlet;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;

/** The adapter contract on Tomcat 11: the servlet filter and a router servlet behind it. */
class TomcatAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    TomcatServer server = TomcatServer.start("", new ContractRouter(app));
    return server;
  }
}
