package dev.planeguard;

import dev.planeguard.testing.ApiSnapshot;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The exported API of planeguard-core equals the snapshot in {@code core/api/}. */
class ApiSnapshotTest {

  @Test
  void thePublicApiIsTheRecordedOne() {
    ApiSnapshot.check(
        Enforcer.class,
        Path.of("api/planeguard-core.api"),
        "dev.planeguard",
        "dev.planeguard.annotation",
        "dev.planeguard.keys",
        "dev.planeguard.secrets");
  }
}
