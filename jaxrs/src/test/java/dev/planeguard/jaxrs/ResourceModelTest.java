package dev.planeguard.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Access;
import dev.planeguard.ConfigurationException;
import dev.planeguard.Plane;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Problem;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.keys.KeyStore;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What {@link ResourceModel} reads from resource classes, and the startup checks it feeds. */
class ResourceModelTest {

  @Target(ElementType.METHOD)
  @Retention(RetentionPolicy.RUNTIME)
  @HttpMethod("PATCH")
  @interface Amend {}

  interface Described {
    @GET
    @Path("{id}")
    String get();
  }

  @Path("v1/items/")
  @MachinePlane(scopes = "items:read")
  public static class Items implements Described {
    @Override
    public String get() {
      return "";
    }

    @POST
    @Produces("application/json")
    public String create() {
      return "";
    }

    @Amend
    @Path("{id: [0-9]+}")
    public String amend() {
      return "";
    }

    @GET
    @Path("files/{path: .*}")
    public String file() {
      return "";
    }

    @Path("{id}/parts")
    public Parts parts() {
      return new Parts();
    }

    @Path("dynamic")
    public Object dynamic() {
      return new Parts();
    }

    public String notAResource() {
      return "";
    }
  }

  public static class Parts {
    @GET
    public String list() {
      return "";
    }
  }

  @ApplicationPath("/api")
  static final class App extends Application {
    @Override
    public Set<Class<?>> getClasses() {
      return Set.of(Items.class, Parts.class);
    }
  }

  static RouteCoverage.Handler handler(ResourceModel model, String origin) {
    return model.handlers().stream()
        .filter(h -> h.origin().equals(origin))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void readsPathsMethodsAndDeclarationsUnderTheApplicationPath() {
    ResourceModel model = ResourceModel.of(new App());
    assertThat(model.applicationPath()).isEqualTo("/api");
    String items = Items.class.getName();
    assertThat(model.handlers())
        .extracting(RouteCoverage.Handler::describe)
        .containsExactlyInAnyOrder(
            "PATCH /api/v1/items/{id: [0-9]+} (" + items + "#amend)",
            "POST /api/v1/items (" + items + "#create)",
            "GET /api/v1/items/files/{path: .*} (" + items + "#file)",
            "GET /api/v1/items/{id} (" + items + "#get)",
            "GET /api/v1/items/{id}/parts (" + Parts.class.getName() + "#list)");
    RouteCoverage.Handler get = handler(model, items + "#get");
    assertThat(get.paths())
        .containsExactly(
            new RouteCoverage.PathMapping("/api/v1/items/{id}", "/api/v1/items/{id}", false));
    assertThat(get.declared())
        .contains(
            new RouteDeclarations.Declared(Access.MACHINE, Plane.MACHINE, Set.of("items:read")));
    assertThat(get.conditional()).isFalse();
    assertThat(handler(model, items + "#create").conditional()).isTrue();
    assertThat(handler(model, items + "#amend").paths())
        .containsExactly(
            new RouteCoverage.PathMapping("/api/v1/items/{id: [0-9]+}", "/api/v1/items/*", true));
    assertThat(handler(model, items + "#file").paths())
        .containsExactly(
            new RouteCoverage.PathMapping(
                "/api/v1/items/files/{path: .*}", "/api/v1/items/files/**", true));
    // The located class's own annotations count, not the locator's.
    assertThat(handler(model, Parts.class.getName() + "#list").declared()).isEmpty();
    assertThat(model.unmirrored())
        .containsExactly(
            "the sub-resource locator "
                + items
                + "#dynamic returns java.lang.Object, whose resource methods are only known at"
                + " request time");
  }

  @Test
  void templatesBecomePatternsAsWideAsTheRuntimesOrWider() {
    assertThat(mapping("/a/{b}/c"))
        .isEqualTo(new RouteCoverage.PathMapping("/a/{b}/c", "/a/{b}/c", false));
    assertThat(mapping("/a/{ b }"))
        .isEqualTo(new RouteCoverage.PathMapping("/a/{ b }", "/a/{b}", false));
    assertThat(mapping("/a/{b.c}").pattern()).isEqualTo("/a/*");
    assertThat(mapping("/a/file.{ext}"))
        .isEqualTo(new RouteCoverage.PathMapping("/a/file.{ext}", "/a/*", true));
    assertThat(mapping("/a/{x: \\d+}/c").pattern()).isEqualTo("/a/*/c");
    assertThat(mapping("/a/{x: [a-z]{2,3}}").pattern()).isEqualTo("/a/*");
    // A regular expression that may match a slash spans segments: ** at the end, else unwritable.
    assertThat(mapping("/a/{x: [^0-9]+}").pattern()).isEqualTo("/a/**");
    assertThat(mapping("/a/{x: .+}/c").pattern()).isNull();
    assertThat(mapping("/a/{x: [a-z/]+}/c").pattern()).isNull();
    assertThat(mapping("/a/{x: \\S+}/c").pattern()).isNull();
    assertThat(mapping("/a b").pattern()).isNull();
    assertThat(mapping("").pattern()).isEqualTo("/");
  }

  private static RouteCoverage.PathMapping mapping(String template) {
    return dev.planeguard.jaxrs.internal.JaxrsPatterns.toMapping(template);
  }

  @Path("/uncovered")
  public static class Uncovered {
    @GET
    public String get() {
      return "";
    }
  }

  @Test
  void anUncoveredResourceStopsStartupInProdWithTheMessageEveryAdapterGives() {
    ResourceModel model = ResourceModel.of("", List.of(Uncovered.class, Items.class));
    PlaneGuardSettings settings =
        model
            .addTo(
                PlaneGuardSettings.builder()
                    .environment(Map.of("AOS_MODE", "prod", "DB_AUTHORITY", "neon"))
                    .policyLocation("app.policy", "machine /api/v1/**\n", false)
                    .machineKeyStore(KeyStore.inMemory()))
            .build();
    assertThatThrownBy(() -> PlaneGuard.assemble(settings))
        .isInstanceOfSatisfying(
            ConfigurationException.class,
            e -> {
              assertThat(e.problems())
                  .contains(
                      new Problem(
                          "handler GET /uncovered (" + Uncovered.class.getName() + "#get)",
                          "is served by the application but not covered: no rule matches"
                              + " GET,HEAD /uncovered",
                          "add a policy rule for its paths or annotate it (@HumanPlane,"
                              + " @MachinePlane, @PublicRoute, @DebugRoute), or remove the"
                              + " handler"));
              assertThat(e.problems())
                  .contains(
                      new Problem(
                          "web configuration",
                          "the sub-resource locator "
                              + Items.class.getName()
                              + "#dynamic returns java.lang.Object, whose resource methods are"
                              + " only known at request time, which planeguard does not mirror",
                          "use the framework's default path matching and keep every handler"
                              + " (Actuator included) behind the planeguard filter on the"
                              + " application's port"));
            });
  }

  @Test
  void theFeatureRefusesAModelWhoseHandlersPlaneguardWasNotGiven() {
    ResourceModel model = ResourceModel.of("", List.of(Items.class));
    PlaneGuard planeguard =
        PlaneGuard.assemble(
            PlaneGuardSettings.builder()
                .environment(Map.of("AOS_MODE", "test", "DB_AUTHORITY", "neon"))
                .policyLocation("app.policy", "machine /**\n", false)
                .machineKeyStore(KeyStore.inMemory())
                .build());
    try (planeguard) {
      assertThatThrownBy(() -> new PlaneGuardFeature(planeguard, model))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "the coverage does not know the resource method "
                  + Items.class.getName()
                  + "#amend: give ResourceModel.handlers() to the settings (ResourceModel.addTo)"
                  + " before assembling planeguard");
    }
  }
}
