package dev.planeguard.jaxrs.examples;

import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.jaxrs.PlaneGuardFeature;
import dev.planeguard.jaxrs.ResourceModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.Configurable;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The Java examples of planeguard-jaxrs's Javadoc, compiled: each region between {@code // example:
 * NAME} and {@code // end example} is the text of the Javadoc block marked {@code <!-- example:
 * NAME -->}, and {@link JavadocExamplesTest} checks that the two are the same. Nothing here is run.
 */
final class JavadocExamples {

  private JavadocExamples() {}

  @Path("/orders")
  static final class OrdersResource {
    @GET
    public String list() {
      return "[]";
    }
  }

  @Path("/healthz")
  static final class HealthResource {
    @GET
    public String get() {
      return "ok";
    }
  }

  static void resourceModel(Application application, Configurable<?> config) {
    // example: ResourceModel.of
    ResourceModel resources = ResourceModel.of(application); // your Application or ResourceConfig
    PlaneGuard planeguard =
        PlaneGuard.assemble(
            resources.addTo(PlaneGuardSettings.fromEnvironment(System.getenv())).build());
    config.register(new PlaneGuardFeature(planeguard, resources));
    // end example
  }

  static void register() {
    // example: PlaneGuardFeature.register
    ResourceConfig config = new ResourceConfig(OrdersResource.class, HealthResource.class);
    ResourceModel resources = ResourceModel.of(config);
    PlaneGuard planeguard =
        PlaneGuard.assemble(
            resources.addTo(PlaneGuardSettings.fromEnvironment(System.getenv())).build());
    config.register(PlaneGuardFeature.builder(planeguard, resources).realm("orders").build());
    // ... start the server; planeguard.close() when the application stops
    // end example
  }
}
