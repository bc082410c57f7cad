package dev.planeguard.test;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The public API of planeguard-test equals the snapshot in {@code test-support/api/}. */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(TestIssuer.class, Path.of("api/planeguard-test.api"), "dev.planeguard.test");
  }
}
