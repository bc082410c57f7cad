package dev.planeguard.spring;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The public API of planeguard-spring-boot-starter equals the snapshot in {@code
 * spring-starter/api/}.
 */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(
        PlaneGuardAutoConfiguration.class,
        Path.of("api/planeguard-spring-boot-starter.api"),
        "dev.planeguard.spring");
  }
}
