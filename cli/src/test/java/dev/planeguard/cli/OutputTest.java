package dev.planeguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Output#table}, the one renderer of {@code check-policy}'s and {@code keys list}'s tables.
 */
class OutputTest {

  @Test
  void columnsAreAsWideAsTheirWidestCellPlusTwoSpacesAndTheLastIsNotPadded() {
    String table =
        Output.table(
            List.of(
                new String[] {"ID", "STATUS", "NOT_AFTER"},
                new String[] {"k7xq2m4p3ra3w5tz", "active", "-"},
                new String[] {"legacy", "revoked", "2027-01-01T00:00:00Z"}));
    assertThat(table)
        .isEqualTo(
            """
            ID                STATUS   NOT_AFTER
            k7xq2m4p3ra3w5tz  active   -
            legacy            revoked  2027-01-01T00:00:00Z
            """);
  }

  @Test
  void noRowsNoText() {
    assertThat(Output.table(List.of())).isEmpty();
  }
}
