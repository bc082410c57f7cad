package dev.planeguard.keys;

import dev.planeguard.Reason;
import dev.planeguard.internal.CachingKeyStore;
import dev.planeguard.internal.InMemoryKeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Where machine and sandbox key records live: the service provider interface behind {@link
 * KeyVerifier#of(KeyStore)}. A store holds {@link KeyRecord}s — hashes, never keys.
 *
 * <p>Implementations: {@link #inMemory()}, the JSON Lines {@link KeyFile}, and {@link #cached} in
 * front of a slower store (a database, say). A store only answers lookups; every check (checksum,
 * hash comparison, kind, mode, status, {@code notAfter}) is the verifier's, so a store cannot get
 * them wrong.
 *
 * <p>A store that cannot answer (database down, file unreadable) throws an unchecked exception from
 * the lookup. The verifier turns that into {@link Reason#VERIFIER_UNAVAILABLE} (503 with {@code
 * Retry-After}): never an allow, never a bad-key answer. Exceptions must not carry a key.
 *
 * <p>Implementations must be thread-safe; lookups run on request threads.
 */
public interface KeyStore {

  /**
   * The record with this id (structured or legacy), or {@code null} if there is none.
   *
   * @param id a key id as found in a key string: 16 characters {@code [a-z2-7]}, or a legacy name
   * @throws RuntimeException if the store cannot answer now
   */
  @Nullable KeyRecord findById(String id);

  /**
   * The <em>legacy</em> record whose {@link KeyRecord#hash() hash} is {@code hash}, or {@code
   * null}. Only legacy records are looked up by hash; a store may index only those and answer
   * {@code null} for any other hash. The verifier ignores a structured record returned here.
   *
   * @param hash {@code sha256:} and 64 lower-case hex digits
   * @throws RuntimeException if the store cannot answer now
   */
  @Nullable KeyRecord findByHash(String hash);

  /**
   * A new, empty, thread-safe store in memory, for tests and for applications that provision keys
   * themselves. Writes are visible to lookups at once.
   */
  static Writable inMemory() {
    return new InMemoryKeyStore();
  }

  /**
   * A cache in front of {@code store}, for stores that are slow or remote. Answers, including "no
   * such key", are kept for at most {@code revocationBound}:
   *
   * <ul>
   *   <li>a key revoked in {@code store} is refused at most {@code revocationBound} after the store
   *       itself answers {@code revoked} (the same holds for a changed {@code notAfter}, scopes or
   *       tenant; {@code notAfter} itself is compared with the clock on every request);
   *   <li>a key added to {@code store} may be refused as unknown for up to {@code revocationBound};
   *   <li>while {@code store} throws, a key with a cached answer keeps that answer until the answer
   *       is {@code revocationBound} old, and is then refused with {@code VERIFIER_UNAVAILABLE}
   *       until the store answers again. Stale answers are never served beyond the bound.
   * </ul>
   *
   * <p>At most 100,000 answers are kept (least useful evicted first). Lookups of one id that arrive
   * together cause one store lookup.
   *
   * @param revocationBound how long an answer may be used; from 1 millisecond to 1 hour
   * @throws IllegalArgumentException if {@code revocationBound} is out of range
   */
  static KeyStore cached(KeyStore store, Duration revocationBound) {
    return new CachingKeyStore(store, revocationBound, System::nanoTime);
  }

  /**
   * {@link #cached(KeyStore, Duration)} with the time source of the cache, for tests.
   *
   * @param ticker nanoseconds, as {@link System#nanoTime()}
   */
  static KeyStore cached(KeyStore store, Duration revocationBound, LongSupplier ticker) {
    return new CachingKeyStore(store, revocationBound, ticker);
  }

  /**
   * A store that can also record when keys are used: the first and the last time the verifier
   * accepted each key, for {@code planeguard keys list}. {@link JdbcKeyStore} and {@link KeyFile}
   * record; a store that does not implement this interface simply records nothing.
   *
   * <p>Recording never runs on a request thread: {@link dev.planeguard.PlaneGuard#assemble} notes
   * each accepted key in memory and a background thread hands the uses to {@link #recordUsage} at
   * most once a minute per key (and once more when the assembly is closed). A failure is logged
   * without the store's data and retried a minute later; it never changes a decision.
   */
  interface UsageRecording extends KeyStore {

    /**
     * Records uses: for each key id, the earliest ({@link KeyUsage#firstUsed()}) and latest ({@link
     * KeyUsage#lastUsed()}, never earlier) use noted since the previous call; {@link
     * KeyUsage#created()} is ignored. A key's first use, once recorded, never changes; its last use
     * only moves forward. Ids without a record are ignored. Either every use is recorded or, if
     * this throws, none need be.
     *
     * @param uses by key id; neither instant {@code null}
     * @throws RuntimeException if the uses cannot be recorded now; the message must not contain a
     *     key or a hash
     */
    void recordUsage(Map<String, KeyUsage> uses);

    /**
     * What the store knows of each key's creation and use, by key id; a key the store knows nothing
     * about may be missing.
     *
     * @throws RuntimeException if the store cannot answer now
     */
    Map<String, KeyUsage> usage();
  }

  /**
   * A store that can also be changed: what {@link KeyLifecycle} (and {@code planeguard keys})
   * needs. Each method is atomic: a concurrent lookup sees the store before or after the change,
   * never in between.
   */
  interface Writable extends KeyStore {

    /** Every record, in the store's order (file order for a {@link KeyFile}). */
    List<KeyRecord> records();

    /**
     * Adds a record.
     *
     * @throws IllegalArgumentException if a record with the same id or hash exists
     */
    void add(KeyRecord record);

    /**
     * Marks the record with this id revoked, at once. Revoking a revoked key changes nothing.
     *
     * @return the record as now stored
     * @throws java.util.NoSuchElementException if there is no record with this id
     */
    KeyRecord revoke(String id);

    /**
     * Rotates a key in one atomic step: sets the {@code notAfter} of the record with this id to the
     * earlier of its current {@code notAfter} and {@code retireAt}, and adds {@code successor}.
     *
     * @return the rotated record as now stored
     * @throws java.util.NoSuchElementException if there is no record with this id
     * @throws IllegalStateException if that record is revoked
     * @throws IllegalArgumentException if the successor's id or hash exists
     */
    KeyRecord rotate(String id, Instant retireAt, KeyRecord successor);
  }
}
