package dev.planeguard.keys;

import static java.util.Objects.requireNonNull;

import dev.planeguard.AuditLedger;
import dev.planeguard.Mode;
import dev.planeguard.internal.KeyAudit;
import dev.planeguard.internal.KeyRules;
import dev.planeguard.internal.Text;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Creates, rotates and revokes keys in a {@link KeyStore.Writable}, and writes an audit event for
 * each: {@code KEY_CREATED}, {@code KEY_ROTATED}, {@code KEY_REVOKED} on the SLF4J logger {@code
 * planeguard.audit}, naming keys by id only. {@code planeguard keys} is a thin shell over this
 * class.
 * <!-- example: KeyLifecycle.of -->
 *
 * <pre>{@code
 * try (KeyFile file = KeyFile.openOrCreate(Path.of("keys.jsonl"))) {
 *   KeyLifecycle keys = KeyLifecycle.of(file);
 *   KeyLifecycle.Issued issued =
 *       keys.create(ApiKey.Kind.MACHINE, Mode.PROD, "acme", Set.of("runs:write"), null);
 *   String plaintext = issued.key().value();   // hand it over this once; only its hash is stored
 *
 *   keys.rotate(issued.record().id(), KeyLifecycle.DEFAULT_GRACE);  // successor; old key for 48 h
 *   keys.revoke(issued.record().id());                              // at once
 * }
 * }</pre>
 *
 * <p>With {@link #withLedger}, each event is also an entry of an {@link AuditLedger}, in the same
 * hash chain as the decisions. Creating, rotating and importing are then refused while the ledger
 * takes no entries, so no key exists that the ledger does not know of; revoking always goes ahead,
 * since shutting a key off must never wait for the audit.
 *
 * <p>Rotation: the successor is created while the old key keeps working for a grace period, so
 * clients can switch without an outage; the old key's {@code notAfter} becomes the earlier of its
 * own and now + grace. A suspected leak is no case for rotation: revoke first.
 *
 * <p>Instances are thread-safe if the store is.
 */
public final class KeyLifecycle {

  /** The grace period of a rotation unless told otherwise: 48 hours. */
  @SuppressWarnings("CanonicalDuration") // 48 hours, as operators say it, not 2 days
  public static final Duration DEFAULT_GRACE = Duration.ofHours(48);

  /**
   * The longest grace period: 30 days. A longer overlap is no rotation; it also catches {@code 48d}
   * typed for {@code 48h}.
   */
  public static final Duration MAX_GRACE = Duration.ofDays(30);

  /**
   * How old a key may grow before it is due for rotation unless configured otherwise: 90 days (a
   * quarterly rotation). Keys past it are a warning at startup and flagged by {@code planeguard
   * keys list}; they keep working.
   */
  public static final Duration DEFAULT_ROTATION_PERIOD = Duration.ofDays(90);

  private final KeyStore.Writable store;
  private final Clock clock;
  private final SecureRandom random;
  private final @Nullable AuditLedger ledger;

  private KeyLifecycle(
      KeyStore.Writable store, Clock clock, SecureRandom random, @Nullable AuditLedger ledger) {
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.random = requireNonNull(random, "random");
    this.ledger = ledger;
  }

  /**
   * Lifecycle operations on {@code store}, with the system clock and a new {@link SecureRandom}.
   */
  public static KeyLifecycle of(KeyStore.Writable store) {
    return new KeyLifecycle(store, Clock.systemUTC(), new SecureRandom(), null);
  }

  /** Lifecycle operations on {@code store}; {@code clock} dates grace periods and audit events. */
  public static KeyLifecycle of(KeyStore.Writable store, Clock clock) {
    return new KeyLifecycle(store, clock, new SecureRandom(), null);
  }

  /**
   * The same operations, each event also recorded in {@code ledger} ({@code KEY_CREATED} with
   * {@code rotated_from}, {@code KEY_ROTATED} with {@code successor_id}, {@code KEY_REVOKED}),
   * beside the log lines. {@link #create}, {@link #rotate} and {@link #importLegacy} throw {@link
   * IllegalStateException} without changing the store while the ledger is not {@linkplain
   * AuditLedger#accepting() accepting}; {@link #revoke} goes ahead regardless. The ledger stays
   * open: its owner closes it, which writes what is queued.
   *
   * @param ledger the ledger, or {@code null} for none
   */
  public KeyLifecycle withLedger(@Nullable AuditLedger ledger) {
    return new KeyLifecycle(store, clock, random, ledger);
  }

  /**
   * A key just issued: the plaintext {@link #key()} to hand over once, and what was stored.
   *
   * @param key the new key; its {@link ApiKey#value()} is the plaintext, never stored or logged
   * @param record the record stored for it
   * @param predecessor for a rotation, the old key's record as now stored (with its new {@code
   *     notAfter}); otherwise {@code null}
   */
  public record Issued(ApiKey key, KeyRecord record, @Nullable KeyRecord predecessor) {
    /** Checks the parts are present. */
    public Issued {
      requireNonNull(key, "key");
      requireNonNull(record, "record");
    }
  }

  /**
   * Creates a key with the default prefix and stores its hashed record.
   *
   * @param tenant the tenant the key acts for, or {@code null}
   * @param scopes scopes granted, checked against the policy's {@code scopes=}
   * @param notAfter when the key stops working, or {@code null} for never
   * @throws IllegalArgumentException for a sandbox key in preprod or prod (it could never work), a
   *     {@code notAfter} not in the future, or a malformed tenant or scope
   * @throws IllegalStateException if the {@linkplain #withLedger ledger} takes no entries
   */
  public Issued create(
      ApiKey.Kind kind,
      Mode mode,
      @Nullable String tenant,
      Set<String> scopes,
      @Nullable Instant notAfter) {
    return create(kind, mode, tenant, scopes, notAfter, KeyLimits.NONE);
  }

  /**
   * Creates a key with limits of its own: a rate limit and a number of uses ({@link KeyLimits}),
   * otherwise like {@link #create(ApiKey.Kind, Mode, String, Set, Instant)}. A rotation gives the
   * successor the same limits.
   */
  public Issued create(
      ApiKey.Kind kind,
      Mode mode,
      @Nullable String tenant,
      Set<String> scopes,
      @Nullable Instant notAfter,
      KeyLimits limits) {
    requireNonNull(limits, "limits");
    requireNonNull(kind, "kind");
    requireNonNull(mode, "mode");
    requireNonNull(scopes, "scopes");
    Instant now = clock.instant();
    checkUsable(kind, mode, notAfter, now);
    AuditLedger l = ledgerAccepting();
    ApiKey key = ApiKey.generate(ApiKey.DEFAULT_PREFIX, kind, mode, random);
    KeyRecord record =
        KeyRecord.of(key, tenant, scopes, notAfter).withLimits(limits).withCreated(created(now));
    store.add(record);
    KeyAudit.created(record, null, now);
    if (l != null) {
      l.keyCreated(record, null);
    }
    return new Issued(key, record, null);
  }

  /**
   * Rotates a key: creates a successor of the same kind, mode, tenant, scopes and limits (with uses
   * counted afresh, and without a {@code notAfter}), and lets the old key work until the earlier of
   * its own {@code notAfter} and now + {@code grace}. Both happen in one atomic store write. Legacy
   * keys rotate to structured ones: this is their migration path.
   *
   * @param grace from zero (the old key stops now) to {@link #MAX_GRACE}
   * @throws NoSuchElementException if the store has no key with this id
   * @throws IllegalStateException if that key is revoked, or the {@linkplain #withLedger ledger}
   *     takes no entries
   * @throws IllegalArgumentException if {@code grace} is out of range
   */
  public Issued rotate(String id, Duration grace) {
    requireNonNull(id, "id");
    requireNonNull(grace, "grace");
    if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
      throw new IllegalArgumentException("the grace period must be between 0 and 30 days");
    }
    KeyRecord old = store.findById(id);
    if (old == null) {
      throw new NoSuchElementException("no key with id " + Text.quote(id, 64));
    }
    AuditLedger l = ledgerAccepting();
    Instant now = clock.instant();
    ApiKey key = ApiKey.generate(ApiKey.DEFAULT_PREFIX, old.kind(), old.mode(), random);
    KeyRecord successor =
        KeyRecord.of(key, old.tenant(), old.scopes(), null)
            .withLimits(old.limits())
            .withCreated(created(now));
    KeyRecord retired = store.rotate(id, now.plus(grace), successor);
    KeyAudit.created(successor, id, now);
    KeyAudit.rotated(retired, successor, now);
    if (l != null) {
      l.keyCreated(successor, id);
      l.keyRotated(retired, successor);
    }
    return new Issued(key, successor, retired);
  }

  /**
   * Revokes a key at once. Revoking a revoked key is allowed and changes nothing (it is audited
   * again).
   *
   * @return the record as now stored
   * @throws NoSuchElementException if the store has no key with this id
   */
  public KeyRecord revoke(String id) {
    requireNonNull(id, "id");
    KeyRecord revoked = store.revoke(id);
    KeyAudit.revoked(revoked, clock.instant());
    AuditLedger l = ledger;
    if (l != null) {
      l.keyRevoked(revoked);
    }
    return revoked;
  }

  /**
   * Registers an opaque legacy secret (an {@code AOS_API_KEY} from before planeguard) by its hash,
   * so it keeps working while clients move to structured keys; {@link #rotate} it to issue its
   * structured successor. The secret itself is neither stored nor logged.
   *
   * @param id a name for the key: {@code [a-z0-9][a-z0-9_-]{0,63}}, not 16 characters of {@code
   *     [a-z2-7]}
   * @param secret the legacy secret: 20 to 256 visible ASCII characters without comma, and not
   *     starting like a planeguard key (such a value is always judged as one, so it could never
   *     match as a legacy secret)
   * @throws IllegalArgumentException if the secret or id is unsuitable (the message never contains
   *     the secret), for a sandbox key in preprod or prod, or a {@code notAfter} in the past
   * @throws IllegalStateException if the {@linkplain #withLedger ledger} takes no entries
   */
  public KeyRecord importLegacy(
      String id,
      String secret,
      ApiKey.Kind kind,
      Mode mode,
      @Nullable String tenant,
      Set<String> scopes,
      @Nullable Instant notAfter) {
    requireNonNull(id, "id");
    requireNonNull(secret, "secret");
    requireNonNull(kind, "kind");
    requireNonNull(mode, "mode");
    requireNonNull(scopes, "scopes");
    if (KeyRules.claimsStructuredFormat(secret)) {
      throw new IllegalArgumentException(
          "the secret starts like a planeguard key; such values are always checked as planeguard"
              + " keys, never as legacy secrets");
    }
    if (!KeyRules.plausible(secret) || secret.length() < KeyRules.LEGACY_MIN_LENGTH) {
      throw new IllegalArgumentException(
          "a legacy secret must be 20 to 256 visible ASCII characters without spaces or commas");
    }
    Instant now = clock.instant();
    checkUsable(kind, mode, notAfter, now);
    AuditLedger l = ledgerAccepting();
    KeyRecord record =
        new KeyRecord(
            id,
            kind,
            mode,
            ApiKey.hash(secret),
            tenant,
            scopes,
            KeyRecord.Status.ACTIVE,
            notAfter,
            true,
            created(now));
    store.add(record);
    KeyAudit.created(record, null, now);
    if (l != null) {
      l.keyCreated(record, null);
    }
    return record;
  }

  /** Every record in the store, in its order. */
  public List<KeyRecord> records() {
    return store.records();
  }

  /** A creation time as stored: whole seconds, which every store keeps exactly. */
  private static Instant created(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS);
  }

  /** The ledger, if any, once it is known to take entries. */
  private @Nullable AuditLedger ledgerAccepting() {
    AuditLedger l = ledger;
    if (l != null && !l.accepting()) {
      throw new IllegalStateException(
          "the audit ledger "
              + l.describe()
              + " takes no entries now (closed, full, or writes failing); nothing was changed");
    }
    return l;
  }

  private static void checkUsable(
      ApiKey.Kind kind, Mode mode, @Nullable Instant notAfter, Instant now) {
    if (kind == ApiKey.Kind.SANDBOX && mode.isProductionLike()) {
      throw new IllegalArgumentException(
          "sandbox keys never work in " + mode + "; sandbox keys are for local and test only");
    }
    if (notAfter != null && !notAfter.isAfter(now)) {
      throw new IllegalArgumentException("notAfter must be in the future");
    }
  }

  @Override
  public String toString() {
    return "KeyLifecycle{" + store + "}";
  }
}
