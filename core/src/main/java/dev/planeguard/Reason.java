package dev.planeguard;

/**
 * Why a request was allowed or denied: the stable reason codes of the decision table, in the order
 * the table is evaluated. Each code has one HTTP status. The codes are part of the product
 * contract: they appear in responses, audit events and metrics, and do not change between releases.
 */
public enum Reason {
  /** Row 1: the path or method fails the request firewall. */
  MALFORMED_REQUEST(400),
  /** Row 2: no policy rule matches. Indistinguishable from an ordinary 404. */
  UNMAPPED_ROUTE(404),
  /** Row 3: a debug route in prod. Indistinguishable from an ordinary 404. */
  DEBUG_DISABLED(404),
  /** Row 4: a public route; credentials were not examined. */
  PUBLIC(200),
  /** Row 5: a credential in the query string. */
  CREDENTIAL_IN_QUERY(400),
  /** Row 6: more than one credential: two carriers, or one carrier repeated. */
  AMBIGUOUS_CREDENTIALS(400),
  /** Row 7: no credential. */
  MISSING_CREDENTIAL(401),
  /** Row 8: the credential of another plane. */
  CROSS_PLANE_CREDENTIAL(401),
  /** Row 9: a sandbox key where sandbox keys are not allowed. */
  SANDBOX_FORBIDDEN(401),
  /** Row 10: an {@code Authorization} scheme other than Bearer. */
  UNSUPPORTED_SCHEME(401),
  /** Row 11: the JWT fails a check; the {@link Detail} says which. */
  INVALID_TOKEN(401),
  /** Row 12: the key is malformed, its checksum is bad, its id unknown or its hash different. */
  INVALID_KEY(401),
  /** Row 13: the key was revoked. */
  REVOKED_KEY(401),
  /** Row 13: the key is past its {@code notAfter}. */
  EXPIRED_KEY(401),
  /** Row 13: the key was issued for another mode. */
  KEY_MODE_MISMATCH(401),
  /** Row 14: a valid credential without a scope the rule requires. */
  INSUFFICIENT_SCOPE(403),
  /** Row 15: the tenant header names another tenant than the caller's. */
  TENANT_MISMATCH(403),
  /**
   * Row 15a: the rule names the purposes it serves ({@code purposes=}) and the request's {@code
   * X-AOS-Purpose} is missing, repeated or not one of them.
   */
  PURPOSE_NOT_ALLOWED(403),
  /**
   * Row 15b: the caller's rate limit (its key's own, its tenant's, the sandbox's or the default) is
   * spent for now; answered with {@code Retry-After} and the {@code RateLimit} fields.
   */
  RATE_LIMITED(429),
  /**
   * Row 15c: the caller's tenant has spent its budget for the day, or its key has no uses left;
   * answered with {@code Retry-After}.
   */
  BUDGET_EXHAUSTED(429),
  /**
   * Row 16: the verifier cannot decide (JWKS or key store unreachable), or the shared rate-limit
   * state cannot be reached.
   */
  VERIFIER_UNAVAILABLE(503),
  /**
   * Row 16: the audit ledger cannot take the entry of a request that would be allowed (queue full,
   * writes failing past the bound); preprod and prod only.
   */
  AUDIT_UNAVAILABLE(503),
  /** Row 17: a valid credential of the right plane, with the scopes and tenant required. */
  AUTHENTICATED(200),
  /**
   * Row 18: after an allow, the framework chose a handler the applied rule does not cover (see
   * {@link Enforcer#confirm}); the handler does not run. Indistinguishable from an ordinary 404.
   */
  DISPATCH_MISMATCH(404);

  private final int status;

  Reason(int status) {
    this.status = status;
  }

  /**
   * Whether a refusal for this reason says when to come back ({@code Retry-After}): the 503s (the
   * verifier or the ledger cannot take the request now) and the 429s (a limit, budget or uses).
   */
  boolean answersWithRetryAfter() {
    return status == 503 || status == 429;
  }

  /** The HTTP status: 200 for the two allowing reasons, the refusal status otherwise. */
  public int status() {
    return status;
  }

  /** True for {@link #PUBLIC} and {@link #AUTHENTICATED}. */
  public boolean allows() {
    return status == 200;
  }

  /**
   * True for the reasons a credential verifier may return as a rejection: {@link #INVALID_TOKEN},
   * {@link #INVALID_KEY}, {@link #REVOKED_KEY}, {@link #EXPIRED_KEY}, {@link #KEY_MODE_MISMATCH}.
   */
  public boolean isVerifierRejection() {
    return this == INVALID_TOKEN
        || this == INVALID_KEY
        || this == REVOKED_KEY
        || this == EXPIRED_KEY
        || this == KEY_MODE_MISMATCH;
  }
}
