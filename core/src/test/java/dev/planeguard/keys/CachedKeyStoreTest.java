package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.planeguard.Detail;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.Verification;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link KeyStore#cached}: the documented revocation bound, negative answers, and outages, on an
 * injected ticker.
 */
class CachedKeyStoreTest {

  static final Duration BOUND = Duration.ofSeconds(5);

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final KeyStore.Writable backing = KeyStore.inMemory();
  final FlakyStore slow = new FlakyStore(backing);
  final KeyStore cached = KeyStore.cached(slow, BOUND, nanos::get);
  final KeyVerifier verifier = KeyVerifier.of(cached);

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  Verification verify(ApiKey key) {
    return verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD);
  }

  ApiKey add() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    backing.add(KeyRecord.of(key, "acme", Set.of(), null));
    return key;
  }

  @Test
  void aRevocationIsSeenWithinTheBound() {
    ApiKey key = add();
    assertThat(verify(key)).isInstanceOf(Verification.Verified.class);
    assertThat(verify(key)).isInstanceOf(Verification.Verified.class);
    assertThat(slow.lookups.get()).as("one store lookup for repeated requests").isEqualTo(1);

    backing.revoke(key.id());
    advance(BOUND.minusNanos(1));
    assertThat(verify(key))
        .as("within the bound the cached answer may still be used")
        .isInstanceOf(Verification.Verified.class);
    advance(Duration.ofNanos(1));
    assertThat(verify(key)).isEqualTo(Verification.rejected(Reason.REVOKED_KEY, null));
    assertThat(slow.lookups.get()).isEqualTo(2);
  }

  @Test
  void unknownKeysAreCachedForTheBoundToo() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThat(verify(key)).isEqualTo(Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID));
    backing.add(KeyRecord.of(key, "acme", Set.of(), null));
    assertThat(verify(key)).isEqualTo(Verification.rejected(Reason.INVALID_KEY, Detail.UNKNOWN_ID));
    advance(BOUND);
    assertThat(verify(key)).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void duringAnOutageCachedAnswersLastUntilTheBoundThen503UntilTheStoreAnswers() {
    ApiKey cachedKey = add();
    ApiKey uncachedKey = add();
    assertThat(verify(cachedKey)).isInstanceOf(Verification.Verified.class);
    slow.down.set(true);
    assertThat(verify(uncachedKey))
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    advance(Duration.ofSeconds(2));
    assertThat(verify(cachedKey)).isInstanceOf(Verification.Verified.class);
    advance(Duration.ofSeconds(3));
    assertThat(verify(cachedKey))
        .as("never served past the bound")
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    slow.down.set(false);
    assertThat(verify(cachedKey))
        .as("failures are not cached")
        .isInstanceOf(Verification.Verified.class);
    assertThat(verify(uncachedKey)).isInstanceOf(Verification.Verified.class);
  }

  @Test
  void legacyLookupsByHashAreCachedAlike() {
    String secret = "legacy-secret-for-the-cache-0123456789";
    backing.add(
        new KeyRecord(
            "legacy",
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            ApiKey.hash(secret),
            null,
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null,
            true));
    assertThat(verifier.verify(secret, ApiKey.Kind.MACHINE, Mode.PROD))
        .isInstanceOf(Verification.Verified.class);
    backing.revoke("legacy");
    assertThat(verifier.verify(secret, ApiKey.Kind.MACHINE, Mode.PROD))
        .isInstanceOf(Verification.Verified.class);
    advance(BOUND);
    assertThat(verifier.verify(secret, ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.rejected(Reason.REVOKED_KEY, null));
  }

  @Test
  void theBoundMustBeSensible() {
    assertThatThrownBy(() -> KeyStore.cached(backing, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KeyStore.cached(backing, Duration.ofHours(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(KeyStore.cached(backing, Duration.ofHours(1)).toString()).contains("PT1H");
  }

  /** The real in-memory store behind a switch that makes it fail, with lookups counted. */
  static final class FlakyStore implements KeyStore {
    final KeyStore delegate;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicLong lookups = new AtomicLong();

    FlakyStore(KeyStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public @Nullable KeyRecord findById(String id) {
      lookups.incrementAndGet();
      if (down.get()) {
        throw new IllegalStateException("connection refused");
      }
      return delegate.findById(id);
    }

    @Override
    public @Nullable KeyRecord findByHash(String hash) {
      lookups.incrementAndGet();
      if (down.get()) {
        throw new IllegalStateException("connection refused");
      }
      return delegate.findByHash(hash);
    }
  }
}
