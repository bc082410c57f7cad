package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * {@link KeyStore#cached}: answers of a slower store, found or not, kept for at most the revocation
 * bound ({@code expireAfterWrite}, checked on every read against the ticker). A lookup that throws
 * is not cached; it reaches the verifier, which answers {@code VERIFIER_UNAVAILABLE}. Nothing is
 * ever served past the bound, during an outage or otherwise.
 *
 * <p>A store that learns of changes sooner (PostgreSQL {@code NOTIFY}, for {@code JdbcKeyStore})
 * calls {@link #evict} or {@link #evictAll}, so that the next lookup asks the store again. The
 * bound holds whether or not such signals arrive.
 */
public final class CachingKeyStore implements KeyStore {

  /** Most answers kept. */
  public static final long MAXIMUM_SIZE = 100_000;

  private static final Duration MAX_BOUND = Duration.ofHours(1);

  private final KeyStore store;
  private final Duration bound;
  private final Cache<String, Optional<KeyRecord>> byId;
  private final Cache<String, Optional<KeyRecord>> byHash;

  /**
   * Creates the cache.
   *
   * @throws IllegalArgumentException if {@code bound} is not between 1 ms and 1 hour
   */
  public CachingKeyStore(KeyStore store, Duration bound, LongSupplier ticker) {
    this.store = requireNonNull(store, "store");
    this.bound = checkBound(bound);
    requireNonNull(ticker, "ticker");
    this.byId = build(bound, ticker);
    this.byHash = build(bound, ticker);
  }

  /**
   * Returns {@code bound} if it is a usable revocation bound.
   *
   * @throws IllegalArgumentException if it is not between 1 ms and 1 hour
   */
  public static Duration checkBound(Duration bound) {
    requireNonNull(bound, "revocationBound");
    if (bound.toMillis() < 1 || bound.compareTo(MAX_BOUND) > 0) {
      throw new IllegalArgumentException("the revocation bound must be between 1 ms and 1 hour");
    }
    return bound;
  }

  private static Cache<String, Optional<KeyRecord>> build(Duration bound, LongSupplier ticker) {
    return Caffeine.newBuilder()
        .maximumSize(MAXIMUM_SIZE / 2)
        .expireAfterWrite(bound)
        .ticker(ticker::getAsLong)
        .build();
  }

  @Override
  public @Nullable KeyRecord findById(String id) {
    return byId.get(id, k -> Optional.ofNullable(store.findById(k))).orElse(null);
  }

  @Override
  public @Nullable KeyRecord findByHash(String hash) {
    return byHash.get(hash, h -> Optional.ofNullable(store.findByHash(h))).orElse(null);
  }

  /**
   * Forgets what is cached about the key with this id: its answer by id, the answer by hash of any
   * legacy record with this id, and every "no such legacy key" answer (any change may be the import
   * of a legacy key whose hash was asked for). The next lookups ask the store.
   */
  public void evict(String id) {
    requireNonNull(id, "id");
    byId.invalidate(id);
    byHash.asMap().values().removeIf(answer -> answer.map(r -> r.id().equals(id)).orElse(true));
  }

  /** Forgets every cached answer. */
  public void evictAll() {
    byId.invalidateAll();
    byHash.invalidateAll();
  }

  /** The revocation bound. */
  public Duration revocationBound() {
    return bound;
  }

  /** The store and the bound. */
  @Override
  public String toString() {
    return "KeyStore.cached{" + store + ", revocationBound=" + bound + "}";
  }
}
