package dev.planeguard.samples.boot;

import dev.planeguard.samples.support.WithoutPlaneGuardContract;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/** The Spring MVC demo without planeguard: local mode only (see the contract). */
class WithoutPlaneGuardTest extends WithoutPlaneGuardContract {

  @Override
  protected ConfigurableApplicationContext start(Map<String, String> env, String... args)
      throws Exception {
    return DemoApplication.start(env, args);
  }

  @Override
  protected String autoConfiguration() {
    return "dev.planeguard.spring.PlaneGuardAutoConfiguration";
  }
}
