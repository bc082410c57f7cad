package dev.planeguard.servlet;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of planeguard-servlet equals the snapshot in {@code servlet-filter/api/}. */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(
        PlaneGuardFilter.class, Path.of("api/planeguard-servlet.api"), "dev.planeguard.servlet");
  }
}
