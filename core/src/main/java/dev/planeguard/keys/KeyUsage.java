package dev.planeguard.keys;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * When a key was created and used, as far as its store knows. Uses are recorded by planeguard
 * itself (see {@link KeyStore.UsageRecording}), with a resolution of about two minutes; a record
 * never says more about a key than that it was accepted at some instant, never by whom or for what.
 *
 * @param created when the store created the key's record, or {@code null} if the store does not
 *     know (a key file does not)
 * @param firstUsed the first accepted use recorded, or {@code null} if none was recorded
 * @param lastUsed the last accepted use recorded, or {@code null} if none was recorded
 */
public record KeyUsage(
    @Nullable Instant created, @Nullable Instant firstUsed, @Nullable Instant lastUsed) {

  /** Nothing known. */
  public static final KeyUsage UNKNOWN = new KeyUsage(null, null, null);
}
