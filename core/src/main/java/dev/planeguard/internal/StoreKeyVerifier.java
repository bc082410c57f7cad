package dev.planeguard.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Detail;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Principal;
import dev.planeguard.Reason;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.Verification;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KeyVerifier#of(KeyStore)}: verifies machine and sandbox keys against a {@link KeyStore}.
 * The order of checks is the contract documented on {@link KeyVerifier#of(KeyStore, Clock)}.
 */
public final class StoreKeyVerifier implements KeyVerifier {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard.keys");
  private static final long LOG_EVERY_MILLIS = 10_000;

  /** Principals remembered at most; beyond that, new ones are built on every request. */
  private static final int MAX_MEMOS = 10_000;

  private final KeyStore store;
  private final Clock clock;
  private final @Nullable KeyUsageRecorder usage;
  private final AtomicLong lastFailureLogged = new AtomicLong(Long.MIN_VALUE);
  private final ConcurrentHashMap<String, Memo> principals = new ConcurrentHashMap<>();

  /** A verifier over {@code store}, comparing {@code notAfter} with {@code clock}. */
  public StoreKeyVerifier(KeyStore store, Clock clock) {
    this(store, clock, null);
  }

  /**
   * A verifier over {@code store} that notes every accepted key with {@code usage} (in memory; the
   * recorder writes to the store on a thread of its own).
   */
  public StoreKeyVerifier(KeyStore store, Clock clock, @Nullable KeyUsageRecorder usage) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.usage = usage;
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // only the very record instance a key matched counts
  public Verification verify(String presented, ApiKey.Kind expectedKind, Mode mode) {
    // Length cap and charset first: nothing else looks at a value that fails them.
    if (!KeyRules.plausible(presented)) {
      return invalid(Detail.MALFORMED);
    }
    boolean structured = KeyRules.claimsStructuredFormat(presented);
    Memo before = structured ? verifiedBefore(presented, expectedKind) : null;
    if (before != null) {
      KeyRecord current;
      try {
        current = store.findById(before.record.id());
      } catch (RuntimeException e) {
        return unavailable(e);
      }
      if (current == before.record) {
        // This very key passed every check below against this very record instance: its syntax,
        // checksum and kind need no second look. The store was asked all the same, so a reload,
        // rotation or revocation (a new instance) is seen at once.
        return genuine(current, mode, null);
      }
      // The record changed or is gone: forget it, and check the key in full.
      principals.remove(before.record.id(), before);
    }
    KeyRecord record;
    if (structured) {
      // Syntax and checksum: a failure is answered without any store lookup.
      ApiKey key = ApiKey.tryParse(presented);
      if (key == null) {
        return invalid(requireNonNull(ApiKey.defect(presented)));
      }
      // The kind is in the value: a key of the wrong kind is refused without a lookup.
      if (key.kind() != expectedKind) {
        return invalid(Detail.WRONG_KIND);
      }
      try {
        record = store.findById(key.id());
      } catch (RuntimeException e) {
        return unavailable(e);
      }
      if (record == null || record.legacy()) {
        return invalid(Detail.UNKNOWN_ID);
      }
      // Constant-time comparison of the hashes; the record must describe this very key.
      byte[] digest = KeyDigest.sha256(presented);
      boolean hashMatches = KeyDigest.matches(record.hash(), digest);
      if (!hashMatches
          || !record.id().equals(key.id())
          || record.kind() != key.kind()
          || record.mode() != key.mode()) {
        return invalid(Detail.HASH_MISMATCH);
      }
      return genuine(record, mode, digest);
    } else {
      // An opaque legacy secret: found by its hash, never by anything it claims to be.
      if (presented.length() < KeyRules.LEGACY_MIN_LENGTH) {
        return invalid(Detail.MALFORMED);
      }
      String hash = ApiKey.hash(presented);
      try {
        record = store.findByHash(hash);
      } catch (RuntimeException e) {
        return unavailable(e);
      }
      if (record == null || !record.legacy() || !ApiKey.hashesEqual(record.hash(), hash)) {
        return invalid(Detail.UNKNOWN_ID);
      }
      if (record.kind() != expectedKind) {
        return invalid(Detail.WRONG_KIND);
      }
      return genuine(record, mode, null);
    }
  }

  /**
   * Row 13 for the record of a genuine key: mode, then revocation, then expiry; then its principal.
   *
   * @param structuredDigest the SHA-256 of a structured key just verified in full against {@code
   *     record}, by which it is recognised next time; {@code null} for a legacy secret or a key
   *     recognised already
   */
  private Verification genuine(KeyRecord record, Mode mode, byte @Nullable [] structuredDigest) {
    if (record.mode() != mode) {
      return Verification.rejected(Reason.KEY_MODE_MISMATCH, null);
    }
    if (record.status() == KeyRecord.Status.REVOKED) {
      return Verification.rejected(Reason.REVOKED_KEY, null);
    }
    Instant notAfter = record.notAfter();
    if (notAfter != null && clock.instant().isAfter(notAfter)) {
      return Verification.rejected(Reason.EXPIRED_KEY, null);
    }
    KeyUsageRecorder recorder = usage;
    if (recorder != null) {
      try {
        recorder.noteUse(record.id());
      } catch (RuntimeException e) {
        // Recording a use never changes the decision.
      }
    }
    return Verification.verified(principal(record, structuredDigest));
  }

  /**
   * The principal of a verified record. A principal copies the record's scopes, so it is built once
   * per record and reused for as long as the store hands out that same record instance (a reload,
   * rotation or revocation gives a new instance, hence a new principal). The digest of the
   * structured key that matched the record is remembered with it.
   */
  @SuppressWarnings("ReferenceEquality") // the very record instance, as the comment above says
  private Principal principal(KeyRecord record, byte @Nullable [] structuredDigest) {
    Memo memo = principals.get(record.id());
    if (memo != null
        && memo.record == record
        && (structuredDigest == null || memo.digest != null)) {
      return memo.principal;
    }
    Principal principal =
        record.kind() == ApiKey.Kind.MACHINE
            ? new MachinePrincipal(record.id(), record.tenant(), record.scopes(), record.limits())
            : new SandboxPrincipal(record.id(), record.tenant(), record.scopes(), record.limits());
    if (memo != null || principals.size() < MAX_MEMOS) {
      principals.put(record.id(), new Memo(record, principal, structuredDigest));
    }
    return principal;
  }

  /**
   * The memo of the record whose id {@code presented} names, if a structured key of the expected
   * kind was verified against it and {@code presented} has that key's SHA-256 (compared in constant
   * time): then {@code presented} is that key. Nothing is looked up: a value that is not the key
   * costs no more than one hash before it is checked in full.
   */
  private @Nullable Memo verifiedBefore(String presented, ApiKey.Kind expectedKind) {
    String id = KeyRules.claimedId(presented);
    Memo memo = id == null ? null : principals.get(id);
    byte[] digest = memo == null ? null : memo.digest;
    if (memo == null || digest == null || memo.record.kind() != expectedKind) {
      return null;
    }
    return MessageDigest.isEqual(digest, KeyDigest.sha256(presented)) ? memo : null;
  }

  /**
   * A record, the principal built from it, and the SHA-256 of the structured key verified against
   * it, if any: the record's own stored hash, decoded; no key is kept.
   */
  private static final class Memo {
    final KeyRecord record;
    final Principal principal;
    final byte @Nullable [] digest;

    Memo(KeyRecord record, Principal principal, byte @Nullable [] digest) {
      this.record = record;
      this.principal = principal;
      this.digest = digest;
    }
  }

  private static Verification invalid(Detail detail) {
    return Verification.rejected(Reason.INVALID_KEY, detail);
  }

  private Verification unavailable(RuntimeException e) {
    long now = clock.millis();
    long last = lastFailureLogged.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_MILLIS)
        && lastFailureLogged.compareAndSet(last, now)) {
      LOG.warn(
          "planeguard key store {} cannot answer; key requests are refused with 503 until it"
              + " can: {}",
          describe(store),
          // The JDBC store's messages are composed to be shown (table, operation, SQLState); any
          // other store's message might quote a key, so only its class and place are logged.
          e instanceof JdbcKeyStore.UnavailableException ? e.getMessage() : Text.describe(e));
    }
    return Verification.unavailable(Detail.KEY_STORE_UNAVAILABLE);
  }

  private static String describe(@Nullable Object store) {
    return store == null ? "-" : store.getClass().getName();
  }

  @Override
  public String toString() {
    return "KeyVerifier{" + store + "}";
  }
}
