package dev.planeguard.jaxrs;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of planeguard-jaxrs equals the snapshot in {@code jaxrs/api/}. */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(
        PlaneGuardFeature.class, Path.of("api/planeguard-jaxrs.api"), "dev.planeguard.jaxrs");
  }
}
