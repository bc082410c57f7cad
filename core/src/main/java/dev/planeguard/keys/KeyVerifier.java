package dev.planeguard.keys;

import dev.planeguard.Enforcer;
import dev.planeguard.MachinePrincipal;
import dev.planeguard.Mode;
import dev.planeguard.Reason;
import dev.planeguard.SandboxPrincipal;
import dev.planeguard.Verification;
import dev.planeguard.internal.StoreKeyVerifier;
import java.time.Clock;

/**
 * Verifies a machine or sandbox key. The verifier checks syntax and checksum before any lookup,
 * compares hashes in constant time, and must not throw or log the key.
 */
@FunctionalInterface
public interface KeyVerifier {

  /**
   * Verifies {@code presentedKey}.
   *
   * @param presentedKey the header value, unchecked and possibly hostile
   * @param expectedKind {@link ApiKey.Kind#MACHINE} on machine routes, {@link ApiKey.Kind#SANDBOX}
   *     for {@code X-AOS-Customer-Key}
   * @param mode the mode of this process; a key issued for another mode is {@link
   *     Reason#KEY_MODE_MISMATCH}
   * @return {@link Verification.Verified} with a {@link MachinePrincipal} (machine) or {@link
   *     SandboxPrincipal} (sandbox), {@link Verification.Rejected}, or {@link
   *     Verification.Unavailable}
   */
  Verification verify(String presentedKey, ApiKey.Kind expectedKind, Mode mode);

  /**
   * The verifier for keys kept in {@code store}, with the system clock. See {@link #of(KeyStore,
   * Clock)}.
   */
  static KeyVerifier of(KeyStore store) {
    return new StoreKeyVerifier(store, Clock.systemUTC());
  }

  /**
   * The verifier for keys kept in {@code store}. One instance serves both the machine and the
   * sandbox plane. It checks, in this order, and answers with the first failure:
   *
   * <ol>
   *   <li>length and characters: 1 to 256 visible ASCII characters, no comma — else {@code
   *       INVALID_KEY} / {@code MALFORMED};
   *   <li>a value that starts like a structured key ({@code aos_mk_}, {@code aos_sk_}, any prefix):
   *       full syntax ({@code MALFORMED}), then checksum ({@code BAD_CHECKSUM}), then the kind it
   *       states against the header it came in ({@code WRONG_KIND}: a sandbox key in {@code
   *       X-AOS-Key}, a machine key in {@code X-AOS-Customer-Key}) — all without touching the
   *       store; then lookup by id ({@code UNKNOWN_ID}) and a constant-time comparison of SHA-256
   *       hashes ({@code HASH_MISMATCH});
   *   <li>any other value is an opaque legacy secret: at least 20 characters ({@code MALFORMED}),
   *       looked up by its hash among legacy records only ({@code UNKNOWN_ID}), then its record's
   *       kind ({@code WRONG_KIND});
   *   <li>for a genuine key only: issued for another mode → {@code KEY_MODE_MISMATCH}; revoked →
   *       {@code REVOKED_KEY}; past {@code notAfter} per {@code clock} → {@code EXPIRED_KEY}.
   * </ol>
   *
   * <p>Why this order: every check that needs only the presented value comes before the store is
   * consulted, so garbage costs no lookup and reveals nothing about the store. Row-13 reasons are
   * given only once the key is proven genuine; among them the mode comes first because it is
   * written in the key itself and tells the caller nothing it did not know (a revoked key of
   * another mode is {@code KEY_MODE_MISMATCH}), and a revoked key that has also expired is {@code
   * REVOKED_KEY}. A store that throws gives {@code VERIFIER_UNAVAILABLE} ({@code
   * KEY_STORE_UNAVAILABLE}), logged at most every 10 seconds without the key.
   *
   * <p>A structured key accepted once is recognised by its SHA-256 (compared in constant time with
   * the hash of the record it matched, kept for at most 10,000 keys; no key is kept) instead of
   * syntax and checksum again. The store is still asked on every call, and the checks from {@code
   * KEY_MODE_MISMATCH} on still apply: only the very record instance the key matched counts, so a
   * reloaded, rotated or revoked record (a new instance) sends the key through every check again.
   *
   * <p>An allowed key gives a {@link MachinePrincipal} or {@link SandboxPrincipal} with the
   * record's id, tenant and scopes. Scopes and tenant are then checked by the {@link Enforcer}.
   *
   * <p>This verifier records no key usage; the one {@link dev.planeguard.PlaneGuard#assemble}
   * builds over a {@link KeyStore.UsageRecording} store does, unless turned off.
   */
  static KeyVerifier of(KeyStore store, Clock clock) {
    return new StoreKeyVerifier(store, clock);
  }
}
