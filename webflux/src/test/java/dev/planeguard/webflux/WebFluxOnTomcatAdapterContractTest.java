package dev.planeguard.webflux;

import dev.planeguard.contract.AdapterContract;
import dev.planeguard.contract.ContractApp;
import dev.planeguard.contract.ContractServer;
import dev.planeguard.webflux.internal.TestServers;
import jakarta.servlet.ServletRegistration;
import java.nio.file.Files;
import org.apache.catalina.startup.Tomcat;
import org.springframework.http.server.reactive.TomcatHttpHandlerAdapter;

/**
 * The adapter contract with the same WebFlux application on Tomcat 11 ({@code
 * TomcatHttpHandlerAdapter}), the servlet container Spring Boot chooses when Tomcat is on the class
 * path: the request and response are servlet ones, recycled once the exchange completes, and the
 * headers are read through Spring rather than Netty.
 */
class WebFluxOnTomcatAdapterContractTest extends AdapterContract {

  @Override
  protected ContractServer start(ContractApp app) throws Exception {
    return WebFluxAdapterContractTest.serve(
        app,
        handler -> {
          TomcatHttpHandlerAdapter adapter = new TomcatHttpHandlerAdapter(handler);
          Tomcat tomcat =
              TestServers.tomcat(
                  Files.createTempDirectory("planeguard-webflux-tomcat"),
                  (classes, servletContext) -> {
                    ServletRegistration.Dynamic servlet =
                        servletContext.addServlet("webflux", adapter);
                    servlet.setAsyncSupported(true);
                    servlet.addMapping("/");
                  });
          return new WebFluxAdapterContractTest.Running(
              () -> tomcat.getConnector().getLocalPort(),
              () -> {
                tomcat.stop();
                tomcat.destroy();
              });
        });
  }
}
