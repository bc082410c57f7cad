package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Problem;
import dev.planeguard.webflux.DispatchConfirmation;
import dev.planeguard.webflux.PlaneGuardWebFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A reactive application with the starter: guarded by planeguard-webflux when it is on the class
 * path, with the servlet application's startup and messages; without it, it must not run unguarded
 * without a word.
 */
class ReactiveApplicationTest {

  @TempDir static Path dir;

  final ReactiveWebApplicationContextRunner runner =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PlaneGuardAutoConfiguration.class, PlaneGuardReactiveAutoConfiguration.class));

  final ReactiveWebApplicationContextRunner withoutAdapter =
      runner.withClassLoader(new FilteredClassLoader(PlaneGuardWebFilter.class));

  @Test
  void withoutPlaneguardWebfluxItDoesNotStartInPreprodOrProdAndNamesTheDependency() {
    for (String mode : new String[] {"prod", "preprod", "PROD "}) {
      withoutAdapter
          .withPropertyValues("AOS_MODE=" + mode, "DB_AUTHORITY=neon")
          .run(
              context -> {
                assertThat(context).hasFailed();
                Throwable t = context.getStartupFailure();
                while (!(t instanceof ConfigurationException)) {
                  t = t.getCause();
                }
                Problem p = ((ConfigurationException) t).problems().get(0);
                assertThat(p.subject()).isEqualTo("reactive web application");
                assertThat(p.message())
                    .startsWith(
                        "planeguard-webflux is not on the class path, so the routes of this"
                            + " Spring WebFlux application would run unguarded in ");
                assertThat(p.fix())
                    .isEqualTo(
                        "add the dependency dev.planeguard:planeguard-webflux (the same version"
                            + " as planeguard-spring-boot-starter)");
              });
    }
  }

  @Test
  void withoutAKnownModeItDoesNotStartEither() {
    withoutAdapter.run(
        context ->
            assertThat(context.getStartupFailure())
                .rootCause()
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("AOS_MODE is not a known mode"));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void withoutPlaneguardWebfluxLocalAndTestStartWithAWarning(CapturedOutput output) {
    for (String mode : new String[] {"local", "test"}) {
      withoutAdapter
          .withPropertyValues("AOS_MODE=" + mode)
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context)
                    .hasSingleBean(PlaneGuardReactiveAutoConfiguration.Unguarded.class)
                    .doesNotHaveBean(PlaneGuardSetup.class);
              });
    }
    assertThat(output)
        .contains(
            "this is a Spring WebFlux application without planeguard-webflux: its routes run"
                + " without planeguard's checks")
        .contains("add the dependency dev.planeguard:planeguard-webflux");
  }

  @Test
  void withPlaneguardWebfluxTheApplicationIsGuarded() throws Exception {
    Path policy = Files.writeString(dir.resolve("p.policy"), "public /healthz\n");
    runner
        .withPropertyValues(
            "AOS_MODE=prod", "DB_AUTHORITY=neon", "planeguard.policy-location=" + policy.toUri())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context)
                  .hasSingleBean(PlaneGuardWebFilter.class)
                  .hasSingleBean(DispatchConfirmation.class)
                  .hasSingleBean(PlaneGuardSetup.class)
                  .doesNotHaveBean(PlaneGuardReactiveAutoConfiguration.Unguarded.class);
            });
  }

  /** The same mistake: the same problems, word for word, as a servlet application gets. */
  @Test
  void aMisconfigurationGetsTheServletApplicationsMessage() throws Exception {
    Path policy = Files.writeString(dir.resolve("bad.policy"), "human /api/**\nmachine /api/**\n");
    Map<String, String> settings =
        Map.of(
            "AOS_MODE",
            "prod",
            "DB_AUTHORITY",
            "neon",
            "planeguard.policy-location",
            policy.toUri().toString(),
            "planeguard.human.jwks-uri",
            "ftp://keys.example.com/jwks.json");
    List<Problem> servlet = SameMessageEverywhereTest.starter(settings);
    List<String> props = new ArrayList<>();
    settings.forEach((k, v) -> props.add(k + "=" + v));
    List<Problem> reactive = new ArrayList<>();
    runner
        .withPropertyValues(props.toArray(String[]::new))
        .run(
            context -> {
              Throwable t = context.getStartupFailure();
              while (t != null && !(t instanceof ConfigurationException)) {
                t = t.getCause();
              }
              assertThat(t).as("the reactive application must refuse to start").isNotNull();
              reactive.addAll(((ConfigurationException) t).problems());
            });
    assertThat(servlet).isNotEmpty();
    assertThat(reactive).isEqualTo(servlet);
  }
}
