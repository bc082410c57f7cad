package dev.planeguard;

import static java.util.Objects.requireNonNull;

/**
 * What a credential verifier concluded: {@link Verified}, {@link Rejected} or {@link Unavailable}.
 * The engine turns it into a {@link Decision}; a verifier that throws, or returns a principal of
 * the wrong plane, produces a deny.
 */
public sealed interface Verification
    permits Verification.Verified, Verification.Rejected, Verification.Unavailable {

  /**
   * The credential is valid.
   *
   * @param principal who presented it
   */
  record Verified(Principal principal) implements Verification {
    /** Checks the principal is present. */
    public Verified {
      requireNonNull(principal, "principal");
    }
  }

  /**
   * The credential is invalid.
   *
   * @param reason one of {@link Reason#INVALID_TOKEN}, {@link Reason#INVALID_KEY}, {@link
   *     Reason#REVOKED_KEY}, {@link Reason#EXPIRED_KEY}, {@link Reason#KEY_MODE_MISMATCH}
   * @param detail which check failed
   */
  record Rejected(Reason reason, Detail detail) implements Verification {
    /** Checks that the reason is one a verifier may give. */
    public Rejected {
      requireNonNull(reason, "reason");
      requireNonNull(detail, "detail");
      if (!reason.isVerifierRejection()) {
        throw new IllegalArgumentException("not a verifier rejection: " + reason);
      }
    }
  }

  /**
   * The verifier cannot decide now (JWKS or key store unreachable, nothing usable cached). The
   * request is refused with 503 and {@code Retry-After}; it is never allowed and never reported as
   * a bad credential.
   *
   * @param detail why, for the audit event
   */
  record Unavailable(Detail detail) implements Verification {
    /** Checks the detail is present. */
    public Unavailable {
      requireNonNull(detail, "detail");
    }
  }

  /** A {@link Verified} result. */
  static Verification verified(Principal principal) {
    return new Verified(principal);
  }

  /** A {@link Rejected} result. */
  static Verification rejected(Reason reason, Detail detail) {
    return new Rejected(reason, detail);
  }

  /** An {@link Unavailable} result. */
  static Verification unavailable(Detail detail) {
    return new Unavailable(detail);
  }
}
