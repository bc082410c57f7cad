package dev.planeguard.internal;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSetBasedJWKSource;
import com.nimbusds.jose.jwk.source.JWKSetCacheRefreshEvaluator;
import com.nimbusds.jose.jwk.source.JWKSetSource;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.security.Provider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The published keys of one issuer: a Nimbus {@code JWKSourceBuilder} chain (cache, refresh-ahead,
 * rate-limited refresh, outage tolerance) over a {@link JwksFetcher}, read with the injected
 * clock's time, and an index of the current set by kid with one ready verifier per key. One
 * instance per issuer; never shared.
 *
 * <p>Nimbus passes the current time down its chain as a parameter ({@code
 * JWKSetSource.getJWKSet(evaluator, currentTime, context)}), so calling the chain directly with
 * {@code clock.millis()} puts the cache, the rate limiter and the outage tolerance all on the
 * injected clock.
 */
public final class IssuerKeys implements AutoCloseable {

  private final JWKSetSource<SecurityContext> chain;
  private final JWKSource<SecurityContext> source;
  private final @Nullable Provider provider;
  private volatile Snapshot snapshot = Snapshot.EMPTY;

  /**
   * Builds the chain.
   *
   * @param fetcher where keys come from
   * @param cacheTtl how long a fetched set is used before it is fetched again
   * @param refreshAhead how long before expiry a read triggers a background refresh
   * @param rateLimit minimum time between two windows of (at most two) fetches
   * @param outageTolerance how long after the last good fetch its keys are still used when the
   *     issuer cannot be reached
   * @param refreshWait how long a reader waits for another thread's fetch to finish
   * @param executor runs background refreshes
   * @param provider where signatures are checked; {@code null} for the JDK's providers
   */
  public IssuerKeys(
      JWKSetSource<SecurityContext> fetcher,
      Duration cacheTtl,
      Duration refreshAhead,
      Duration rateLimit,
      Duration outageTolerance,
      Duration refreshWait,
      Executor executor,
      @Nullable Provider provider) {
    this.provider = provider;
    this.source =
        JWKSourceBuilder.create(fetcher)
            .cache(cacheTtl.toMillis(), refreshWait.toMillis())
            .refreshAheadCache(
                refreshAhead.toMillis(), null, new ExecutorAdapter(executor), false, null, false)
            .rateLimited(rateLimit.toMillis())
            .outageTolerant(outageTolerance.toMillis())
            .build();
    this.chain = ((JWKSetBasedJWKSource<SecurityContext>) source).getJWKSetSource();
  }

  /**
   * The current keys: the cached set while it is fresh (a read may start a background refresh),
   * otherwise a fetch, bridged by the last good set during an outage.
   *
   * @throws KeySourceException if no usable set exists
   */
  public Snapshot current(long now) throws KeySourceException {
    return index(chain.getJWKSet(JWKSetCacheRefreshEvaluator.noRefresh(), now, null));
  }

  /**
   * Fetches again because {@code seen} lacks a kid a token names; if another thread fetched since
   * {@code seen} was read, its result is used instead. Rate-limited.
   *
   * @throws KeySourceException if the fetch failed or the rate limit was reached
   */
  public Snapshot refresh(Snapshot seen, long now) throws KeySourceException {
    return index(
        chain.getJWKSet(JWKSetCacheRefreshEvaluator.referenceComparison(seen.set), now, null));
  }

  @SuppressWarnings("ReferenceEquality") // Nimbus signals a new fetch by a new set instance
  private Snapshot index(JWKSet set) {
    Snapshot s = snapshot;
    if (s.set == set) {
      return s;
    }
    s = Snapshot.of(set, provider);
    snapshot = s;
    return s;
  }

  @Override
  public void close() {
    try {
      ((JWKSetBasedJWKSource<SecurityContext>) source).close();
    } catch (IOException e) {
      // nothing to release that matters
    }
  }

  /**
   * An immutable view of one key set: usable keys by id (their kid, or {@code #n} for a key without
   * one) with a ready verifier each.
   */
  public static final class Snapshot {
    static final Snapshot EMPTY = new Snapshot(new JWKSet(), Map.of(), List.of());

    final JWKSet set;
    private final Map<String, Key> byId;
    private final List<Key> keys;

    private Snapshot(JWKSet set, Map<String, Key> byId, List<Key> keys) {
      this.set = set;
      this.byId = byId;
      this.keys = keys;
    }

    /** Indexes {@code set}; keys Nimbus cannot build a verifier for are left out. */
    public static Snapshot of(JWKSet set) {
      return of(set, null);
    }

    /**
     * Indexes {@code set} with verifiers that check signatures in {@code provider} ({@code null}:
     * the JDK's providers).
     */
    public static Snapshot of(JWKSet set, @Nullable Provider provider) {
      Map<String, Key> byId = new HashMap<>();
      List<Key> keys = new ArrayList<>();
      int anonymous = 0;
      for (JWK jwk : set.getKeys()) {
        JWSVerifier verifier = Signatures.verifier(jwk, provider);
        if (verifier == null) {
          continue;
        }
        String id = jwk.getKeyID() != null ? jwk.getKeyID() : "#" + anonymous++;
        Key key = new Key(id, jwk, verifier);
        byId.put(id, key);
        keys.add(key);
      }
      return new Snapshot(set, Collections.unmodifiableMap(byId), List.copyOf(keys));
    }

    /** The key with this id, or {@code null}. */
    public @Nullable Key get(String id) {
      return byId.get(id);
    }

    /** Whether a key with this id is published. */
    public boolean contains(String id) {
      return byId.containsKey(id);
    }

    /** Every usable key, in document order. */
    public List<Key> keys() {
      return keys;
    }
  }

  /**
   * A published key and its verifier.
   *
   * @param id its kid, or {@code #n} for a key without one
   * @param jwk the public key
   * @param verifier a verifier for it
   */
  public record Key(String id, JWK jwk, JWSVerifier verifier) {}

  /** Lets Nimbus, which wants an {@code ExecutorService}, use any {@link Executor}. */
  private static final class ExecutorAdapter extends AbstractExecutorService {
    private final Executor executor;

    ExecutorAdapter(Executor executor) {
      this.executor = executor;
    }

    @Override
    public void execute(Runnable command) {
      executor.execute(command);
    }

    @Override
    public void shutdown() {}

    @Override
    public List<Runnable> shutdownNow() {
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return false;
    }

    @Override
    public boolean isTerminated() {
      return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }
}
