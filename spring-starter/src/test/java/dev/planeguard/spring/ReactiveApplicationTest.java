package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.ConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * planeguard has no WebFlux adapter: a reactive application with the starter must not run unguarded
 * without a word.
 */
class ReactiveApplicationTest {

  final ReactiveWebApplicationContextRunner runner =
      new ReactiveWebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  PlaneGuardAutoConfiguration.class, PlaneGuardReactiveAutoConfiguration.class));

  @Test
  void aReactiveApplicationDoesNotStartInPreprodOrProd() {
    for (String mode : new String[] {"prod", "preprod", "PROD "}) {
      runner
          .withPropertyValues("AOS_MODE=" + mode, "DB_AUTHORITY=neon")
          .run(
              context -> {
                assertThat(context).hasFailed();
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("reactive web application")
                    .hasMessageContaining("planeguard has no adapter for Spring WebFlux");
              });
    }
  }

  @Test
  void withoutAKnownModeItDoesNotStartEither() {
    runner.run(
        context ->
            assertThat(context.getStartupFailure())
                .rootCause()
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("AOS_MODE is not a known mode"));
  }

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void inLocalAndTestItStartsWithAWarningAndNoServletFilter(CapturedOutput output) {
    for (String mode : new String[] {"local", "test"}) {
      runner
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
        .contains("this is a Spring WebFlux application, which planeguard does not guard yet");
  }
}
