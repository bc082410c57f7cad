package dev.planeguard;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

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
   * @param detail which check failed; required for {@code INVALID_TOKEN} and {@code INVALID_KEY},
   *     {@code null} allowed for the other reasons, which say it all
   */
  record Rejected(Reason reason, @Nullable Detail detail) implements Verification {
    /** Checks that the reason is one a verifier may give, with a detail where one is needed. */
    public Rejected {
      requireNonNull(reason, "reason");
      if (!reason.isVerifierRejection()) {
        throw new IllegalArgumentException("not a verifier rejection: " + reason);
      }
      if (detail == null && (reason == Reason.INVALID_TOKEN || reason == Reason.INVALID_KEY)) {
        throw new IllegalArgumentException(reason + " needs a detail");
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
  static Verification rejected(Reason reason, @Nullable Detail detail) {
    return new Rejected(reason, detail);
  }

  /** An {@link Unavailable} result. */
  static Verification unavailable(Detail detail) {
    return new Unavailable(detail);
  }
}
