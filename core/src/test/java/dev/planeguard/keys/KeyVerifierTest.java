package dev.planeguard.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.Detail;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.Verification;
import dev.planeguard.testing.ManualClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link KeyVerifier#of}: every check, its order, and which checks never reach the store. Keys are
 * real ({@link ApiKey#generate}); the store is the real in-memory store, counted.
 */
class KeyVerifierTest {

  static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
  static final String LEGACY_SECRET = "Zm9vYmFyLWxlZ2FjeS1zZWNyZXQtMjAyNQ==";

  final KeyStore.Writable store = KeyStore.inMemory();
  final CountingStore counted = new CountingStore(store);
  final KeyVerifier verifier = KeyVerifier.of(counted, Clock.fixed(NOW, ZoneOffset.UTC));

  ApiKey add(
      ApiKey.Kind kind, Mode mode, String tenant, Set<String> scopes, @Nullable Instant notAfter) {
    ApiKey key = ApiKey.generate(kind, mode);
    store.add(KeyRecord.of(key, tenant, scopes, notAfter));
    return key;
  }

  ApiKey machine() {
    return add(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null);
  }

  Verification verify(String presented) {
    return verifier.verify(presented, ApiKey.Kind.MACHINE, Mode.PROD);
  }

  static void assertRejected(Verification v, Reason reason, @Nullable Detail detail) {
    assertThat(v)
        .isInstanceOfSatisfying(
            Verification.Rejected.class,
            r -> {
              assertThat(r.reason()).isEqualTo(reason);
              assertThat(r.detail()).isEqualTo(detail);
            });
  }

  @Test
  void aGenuineKeyGivesItsPrincipal() {
    ApiKey key = machine();
    Verification v = verify(key.value());
    assertThat(v)
        .isInstanceOfSatisfying(
            Verification.Verified.class,
            ok ->
                assertThat(ok.principal())
                    .isEqualTo(new MachinePrincipal(key.id(), "acme", Set.of("runs:write"))));
    assertThat(counted.byId.get()).isEqualTo(1);
    assertThat(counted.byHash.get()).isZero();

    ApiKey sandbox = add(ApiKey.Kind.SANDBOX, Mode.LOCAL, "acme", Set.of(), null);
    assertThat(verifier.verify(sandbox.value(), ApiKey.Kind.SANDBOX, Mode.LOCAL))
        .isEqualTo(Verification.verified(new SandboxPrincipal(sandbox.id(), "acme", Set.of())));
  }

  @Test
  void malformedAndBadChecksumKeysNeverReachTheStore() {
    ApiKey key = machine();
    String v = key.value();
    char last = v.charAt(v.length() - 1);
    String badCheck = v.substring(0, v.length() - 1) + (last == 'a' ? 'b' : 'a');
    assertRejected(verify(badCheck), Reason.INVALID_KEY, Detail.BAD_CHECKSUM);
    assertRejected(verify(v.substring(0, v.length() - 1)), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v.substring(0, 40)), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + "x"), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v.replace("_prod_", "_staging_")), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify("x".repeat(1 << 20)), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + "x".repeat(1 << 20)), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(
        verify(v.substring(0, 30) + "\u00e9" + v.substring(31)),
        Reason.INVALID_KEY,
        Detail.MALFORMED);
    assertRejected(
        verify(v.substring(0, 30) + "\u0430" + v.substring(31)),
        Reason.INVALID_KEY,
        Detail.MALFORMED);
    assertRejected(verify(v + "," + v), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + ", " + v), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(" " + v), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + " "), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + "\t"), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(
        verify(v.substring(0, 30) + " " + v.substring(31)), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + "\n"), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(v + "\u0000"), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify(""), Reason.INVALID_KEY, Detail.MALFORMED);
    assertRejected(verify("Bearer " + v), Reason.INVALID_KEY, Detail.MALFORMED);
    assertThat(counted.byId.get() + counted.byHash.get()).as("store lookups").isZero();
  }

  @Test
  void theKindStatedInTheKeyIsCheckedBeforeAnyLookup() {
    ApiKey sandbox = add(ApiKey.Kind.SANDBOX, Mode.LOCAL, "acme", Set.of(), null);
    ApiKey machine = add(ApiKey.Kind.MACHINE, Mode.LOCAL, "acme", Set.of(), null);
    assertRejected(
        verifier.verify(sandbox.value(), ApiKey.Kind.MACHINE, Mode.LOCAL),
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    assertRejected(
        verifier.verify(machine.value(), ApiKey.Kind.SANDBOX, Mode.LOCAL),
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    assertThat(counted.byId.get()).isZero();
  }

  @Test
  void rightIdWrongSecretIsAHashMismatch() {
    ApiKey key = machine();
    String v = key.value();
    int secretStart = v.indexOf(key.id()) + key.id().length() + 1;
    String body = v.substring(0, secretStart) + "A".repeat(43);
    String forged = body + "_" + ApiKey.checksum(body);
    assertThat(ApiKey.defect(forged)).as("a well-formed key with a valid checksum").isNull();
    assertRejected(verify(forged), Reason.INVALID_KEY, Detail.HASH_MISMATCH);
  }

  @Test
  void unknownIdsAndForgedKeysOfAnotherModeAreInvalidNotMismatched() {
    machine();
    assertRejected(
        verify(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value()),
        Reason.INVALID_KEY,
        Detail.UNKNOWN_ID);
    // A key nobody issued says nothing about the store, whatever mode it claims.
    assertRejected(
        verify(ApiKey.generate(ApiKey.Kind.MACHINE, Mode.TEST).value()),
        Reason.INVALID_KEY,
        Detail.UNKNOWN_ID);
  }

  @Test
  void row13ModeThenRevocationThenExpiry() {
    ApiKey testKey = add(ApiKey.Kind.MACHINE, Mode.TEST, "acme", Set.of(), null);
    assertRejected(verify(testKey.value()), Reason.KEY_MODE_MISMATCH, null);

    ApiKey revoked = machine();
    store.revoke(revoked.id());
    assertRejected(verify(revoked.value()), Reason.REVOKED_KEY, null);

    ApiKey expired = add(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW.minusSeconds(1));
    assertRejected(verify(expired.value()), Reason.EXPIRED_KEY, null);
    ApiKey lastSecond = add(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW);
    assertThat(verify(lastSecond.value())).isInstanceOf(Verification.Verified.class);

    // Combinations: the mode wins over revocation, revocation over expiry.
    ApiKey revokedTestKey =
        add(ApiKey.Kind.MACHINE, Mode.TEST, "acme", Set.of(), NOW.minusSeconds(60));
    store.revoke(revokedTestKey.id());
    assertRejected(verify(revokedTestKey.value()), Reason.KEY_MODE_MISMATCH, null);
    ApiKey revokedExpired =
        add(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of(), NOW.minusSeconds(60));
    store.revoke(revokedExpired.id());
    assertRejected(verify(revokedExpired.value()), Reason.REVOKED_KEY, null);
  }

  @Test
  void aRecordThatDisagreesWithTheKeyIsRefused() {
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    // Same id and hash, but the record claims another mode: a hand-edited or corrupt file.
    store.add(
        new KeyRecord(
            key.id(),
            ApiKey.Kind.MACHINE,
            Mode.TEST,
            key.hash(),
            "acme",
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null));
    assertRejected(verify(key.value()), Reason.INVALID_KEY, Detail.HASH_MISMATCH);
    assertRejected(
        verifier.verify(key.value(), ApiKey.Kind.MACHINE, Mode.TEST),
        Reason.INVALID_KEY,
        Detail.HASH_MISMATCH);
  }

  @Test
  void legacySecretsAreFoundByHashAndCheckedLikeKeys() {
    store.add(legacy("aos-api-key", LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD));
    assertThat(verify(LEGACY_SECRET))
        .isEqualTo(
            Verification.verified(
                new MachinePrincipal("aos-api-key", "acme", Set.of("runs:write"))));
    assertThat(counted.byHash.get()).isEqualTo(1);
    assertThat(counted.byId.get()).isZero();
    assertRejected(verify(LEGACY_SECRET + "x"), Reason.INVALID_KEY, Detail.UNKNOWN_ID);
    assertRejected(
        verifier.verify(LEGACY_SECRET, ApiKey.Kind.SANDBOX, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    assertRejected(
        verifier.verify(LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.TEST),
        Reason.KEY_MODE_MISMATCH,
        null);
    store.revoke("aos-api-key");
    assertRejected(verify(LEGACY_SECRET), Reason.REVOKED_KEY, null);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"short-secret", "a,b-and-more-than-twenty", "with space and more than twenty"})
  void unsuitableLegacyValuesAreMalformedWithoutLookup(String value) {
    assertRejected(verify(value), Reason.INVALID_KEY, Detail.MALFORMED);
    assertThat(counted.byHash.get()).isZero();
  }

  @Test
  void aLegacyRecordNeverStandsInForAStructuredKeyNorTheReverse() {
    // A structured key's hash registered as a legacy record (hand-edited file): the structured
    // value is judged as a structured key only, and its id is unknown.
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    store.add(legacy("smuggled", key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
    assertRejected(verify(key.value()), Reason.INVALID_KEY, Detail.UNKNOWN_ID);
    assertThat(counted.byHash.get()).isZero();
    // A value that starts like a key but is not one is malformed, never looked up as legacy.
    String lookalike = "aos_mk_" + LEGACY_SECRET;
    store.add(legacy("lookalike", lookalike, ApiKey.Kind.MACHINE, Mode.PROD));
    assertRejected(verify(lookalike), Reason.INVALID_KEY, Detail.MALFORMED);
    assertThat(counted.byHash.get()).isZero();
    // A store returning a structured record for a hash is ignored.
    KeyStore confused =
        new KeyStore() {
          @Override
          public KeyRecord findById(String id) {
            return null;
          }

          @Override
          public KeyRecord findByHash(String hash) {
            return KeyRecord.of(key, "acme", Set.of(), null);
          }
        };
    assertRejected(
        KeyVerifier.of(confused).verify(LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.UNKNOWN_ID);
  }

  @Test
  void aStoreThatCannotAnswerGivesUnavailableNeverAllowOrInvalid() {
    KeyStore down =
        new KeyStore() {
          @Override
          public KeyRecord findById(String id) {
            throw new IllegalStateException("connection refused");
          }

          @Override
          public KeyRecord findByHash(String hash) {
            throw new java.io.UncheckedIOException(new java.io.IOException("disk"));
          }
        };
    KeyVerifier v = KeyVerifier.of(down);
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    assertThat(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    assertThat(v.verify(LEGACY_SECRET, ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    // Checks that need no store still answer while it is down.
    assertRejected(
        v.verify(key.value() + "x", ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.MALFORMED);
  }

  static KeyRecord legacy(String id, String secret, ApiKey.Kind kind, Mode mode) {
    return new KeyRecord(
        id,
        kind,
        mode,
        ApiKey.hash(secret),
        "acme",
        Set.of("runs:write"),
        KeyRecord.Status.ACTIVE,
        null,
        true);
  }

  /** The real store, with its lookups counted. */
  static final class CountingStore implements KeyStore {
    final KeyStore delegate;
    final AtomicInteger byId = new AtomicInteger();
    final AtomicInteger byHash = new AtomicInteger();

    CountingStore(KeyStore delegate) {
      this.delegate = delegate;
    }

    @Override
    public @Nullable KeyRecord findById(String id) {
      byId.incrementAndGet();
      return delegate.findById(id);
    }

    @Override
    public @Nullable KeyRecord findByHash(String hash) {
      byHash.incrementAndGet();
      return delegate.findByHash(hash);
    }
  }

  @Test
  void verificationsNeverCarryTheKey() {
    ApiKey key = machine();
    for (Verification v : List.of(verify(key.value()), verify(key.value() + "x"))) {
      assertThat(v.toString()).doesNotContain(key.value());
    }
  }

  @Test
  void thePrincipalFollowsTheRecordTheStoreReturnsNow() {
    // The verifier reuses a principal while the store returns the same record instance; a record
    // that changed (another tenant, other scopes, a key revoked and reissued) gives a new one.
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    java.util.concurrent.atomic.AtomicReference<KeyRecord> current =
        new java.util.concurrent.atomic.AtomicReference<>(
            KeyRecord.of(key, "acme", Set.of("runs:read"), null));
    KeyStore swapping =
        new KeyStore() {
          @Override
          public @Nullable KeyRecord findById(String id) {
            KeyRecord r = current.get();
            return r.id().equals(id) ? r : null;
          }

          @Override
          public @Nullable KeyRecord findByHash(String hash) {
            return null;
          }
        };
    KeyVerifier v = KeyVerifier.of(swapping, Clock.fixed(NOW, ZoneOffset.UTC));
    MachinePrincipal first = principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
    assertThat(first).isEqualTo(new MachinePrincipal(key.id(), "acme", Set.of("runs:read")));
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))).isSameAs(first);

    current.set(KeyRecord.of(key, "globex", Set.of("runs:write"), null));
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD)))
        .isEqualTo(new MachinePrincipal(key.id(), "globex", Set.of("runs:write")));

    current.set(current.get().revoked());
    assertRejected(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD), Reason.REVOKED_KEY, null);

    current.set(KeyRecord.of(key, "acme", Set.of(), null));
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD)))
        .isEqualTo(new MachinePrincipal(key.id(), "acme", Set.of()));
    // Another key with the same id but another secret is still a hash mismatch, memo or not.
    assertRejected(
        v.verify(sameIdOtherSecret(key), ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.HASH_MISMATCH);
  }

  @Test
  void aKeyVerifiedBeforeIsJudgedAgainstTheRecordTheStoreReturnsNow() {
    // A key verified once is recognised by its hash without parsing it again, but only against the
    // very record it matched: every verification still asks the store, and any change shows at
    // once.
    ApiKey key = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    KeyRecord issued = KeyRecord.of(key, "acme", Set.of(), null);
    java.util.concurrent.atomic.AtomicReference<@Nullable KeyRecord> current =
        new java.util.concurrent.atomic.AtomicReference<>(issued);
    java.util.concurrent.atomic.AtomicBoolean down =
        new java.util.concurrent.atomic.AtomicBoolean();
    AtomicInteger lookups = new AtomicInteger();
    KeyStore swapping =
        new KeyStore() {
          @Override
          public @Nullable KeyRecord findById(String id) {
            lookups.incrementAndGet();
            if (down.get()) {
              throw new IllegalStateException("connection refused");
            }
            KeyRecord r = current.get();
            return r != null && r.id().equals(id) ? r : null;
          }

          @Override
          public @Nullable KeyRecord findByHash(String hash) {
            return null;
          }
        };
    ManualClock clock = new ManualClock(NOW);
    KeyVerifier v = KeyVerifier.of(swapping, clock);
    MachinePrincipal first = principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD));
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))).isSameAs(first);
    assertThat(lookups.get()).as("one lookup per verification").isEqualTo(2);

    // The same value in the other header, and look-alikes, are judged as they always are.
    assertRejected(
        v.verify(key.value(), ApiKey.Kind.SANDBOX, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.WRONG_KIND);
    String v0 = key.value();
    int secret = v0.indexOf(key.id()) + key.id().length() + 1;
    String otherSecret =
        v0.substring(0, secret) + (v0.charAt(secret) == 'A' ? 'B' : 'A') + v0.substring(secret + 1);
    assertRejected(
        v.verify(otherSecret, ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.BAD_CHECKSUM);
    assertThat(lookups.get()).as("a look-alike of a known key costs no lookup").isEqualTo(2);
    String body = otherSecret.substring(0, otherSecret.lastIndexOf('_'));
    assertRejected(
        v.verify(body + "_" + ApiKey.checksum(body), ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.HASH_MISMATCH);
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))).isSameAs(first);

    // A store that cannot answer is never answered from memory.
    down.set(true);
    assertThat(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isEqualTo(Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE));
    down.set(false);

    // Row 13 is applied on every verification: the clock passes notAfter of the same record.
    ApiKey expiring = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD);
    current.set(KeyRecord.of(expiring, "acme", Set.of(), NOW.plusSeconds(60)));
    assertThat(v.verify(expiring.value(), ApiKey.Kind.MACHINE, Mode.PROD))
        .isInstanceOf(Verification.Verified.class);
    clock.set(NOW.plusSeconds(61));
    assertRejected(
        v.verify(expiring.value(), ApiKey.Kind.MACHINE, Mode.PROD), Reason.EXPIRED_KEY, null);
    clock.set(NOW);

    // The id reissued with another secret while the key is still recognised: the value verified
    // before is now a mismatch, and the new key is accepted; the key removed from the store is
    // unknown.
    current.set(issued);
    assertThat(principal(v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD))).isSameAs(first);
    String reissued = sameIdOtherSecret(key);
    current.set(
        new KeyRecord(
            key.id(),
            ApiKey.Kind.MACHINE,
            Mode.PROD,
            ApiKey.hash(reissued),
            "globex",
            Set.of(),
            KeyRecord.Status.ACTIVE,
            null));
    assertRejected(
        v.verify(key.value(), ApiKey.Kind.MACHINE, Mode.PROD),
        Reason.INVALID_KEY,
        Detail.HASH_MISMATCH);
    assertThat(principal(v.verify(reissued, ApiKey.Kind.MACHINE, Mode.PROD)))
        .isEqualTo(new MachinePrincipal(key.id(), "globex", Set.of()));
    current.set(null);
    assertRejected(
        v.verify(reissued, ApiKey.Kind.MACHINE, Mode.PROD), Reason.INVALID_KEY, Detail.UNKNOWN_ID);
  }

  /** A well-formed key with {@code key}'s id and another secret, its checksum right. */
  static String sameIdOtherSecret(ApiKey key) {
    String other = ApiKey.generate(ApiKey.Kind.MACHINE, Mode.PROD).value();
    String v = key.value();
    int secret = v.indexOf(key.id()) + key.id().length() + 1;
    String body = v.substring(0, secret) + other.substring(secret, other.lastIndexOf('_'));
    return body + "_" + ApiKey.checksum(body);
  }

  static MachinePrincipal principal(Verification v) {
    assertThat(v).isInstanceOf(Verification.Verified.class);
    return (MachinePrincipal) ((Verification.Verified) v).principal();
  }
}
