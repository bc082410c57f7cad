package dev.planeguard.samples.webflux;

import dev.planeguard.samples.support.WithoutPlaneGuardContract;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The WebFlux demo with the starter's reactive auto-configuration excluded, as {@code
 * E2E_APP=webflux benchmarks/e2e.sh} runs it: local mode only (see the contract).
 */
class WithoutPlaneGuardWebFluxTest extends WithoutPlaneGuardContract {

  @Override
  protected ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws Exception {
    return WebFluxDemoApplication.start(env, args);
  }

  @Override
  protected String autoConfiguration() {
    return "dev.planeguard.spring.PlaneGuardReactiveAutoConfiguration";
  }
}
