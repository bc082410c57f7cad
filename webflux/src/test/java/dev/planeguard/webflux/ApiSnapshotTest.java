package dev.planeguard.webflux;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of planeguard-webflux equals the snapshot in {@code webflux/api/}. */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(
        PlaneGuardWebFilter.class, Path.of("api/planeguard-webflux.api"), "dev.planeguard.webflux");
  }
}
