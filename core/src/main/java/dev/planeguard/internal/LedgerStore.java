package dev.planeguard.internal;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where ledger lines are written: a file, a table. Used by one writer thread only.
 *
 * <p>{@link #append} is all or nothing as far as a later reader can tell: when it throws, none of
 * the lines count as written, and the next call writes them again after the last line that did (a
 * store that cannot undo a partial write repairs itself before the next append).
 *
 * <p>A store throws {@link Failure} for what it can describe itself: its message is logged as it
 * is. Other exceptions are logged by class and place only.
 */
public interface LedgerStore extends AutoCloseable {

  /** The last entry written before this process started, or {@code null} for an empty ledger. */
  @Nullable Tail tail() throws IOException;

  /**
   * Writes {@code lines} (without line ends) durably, in order.
   *
   * @param now the writer's clock, for rotation by day
   */
  void append(List<String> lines, Instant now) throws IOException;

  /** Where this store writes, for messages (a path, a table); never a password. */
  String describe();

  @Override
  void close();

  /** The last entry of a chain: its sequence number and the SHA-256 of its line. */
  record Tail(long seq, String hash) {}

  /**
   * A failure the store describes in its own words: where, what was being done, why and what to do;
   * never a value read from or written to the store, never a password.
   */
  final class Failure extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure with {@code message}, which is logged as it is. */
    public Failure(String message) {
      super(message);
    }
  }
}
