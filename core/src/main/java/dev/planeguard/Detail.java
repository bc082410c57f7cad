package dev.planeguard;

/**
 * The finer cause behind a {@link Reason}, for audit events and the {@code decide} command. Detail
 * codes are stable like reason codes, but responses never carry them: a client learns that its
 * token was refused, not which check failed.
 */
public enum Detail {
  // Request firewall (MALFORMED_REQUEST)
  /** The method is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS (exact case). */
  DISALLOWED_METHOD,
  /** The target is not an origin-form path starting with {@code /}. */
  NOT_ORIGIN_FORM,
  /** The target is longer than the firewall allows. */
  TOO_LONG,
  /** An encoded {@code /} or {@code \} ({@code %2F}, {@code %5C}). */
  ENCODED_SLASH,
  /** An encoded {@code .} ({@code %2E}). */
  ENCODED_DOT,
  /** An encoded {@code %} ({@code %25}): double encoding. */
  ENCODED_PERCENT,
  /** An encoded {@code ;} ({@code %3B}). */
  ENCODED_SEMICOLON,
  /** A raw {@code \}. */
  BACKSLASH,
  /** A raw {@code ;} (path parameters such as {@code ;jsessionid=}). */
  SEMICOLON,
  /** An empty segment ({@code //}). */
  EMPTY_SEGMENT,
  /** A {@code .} or {@code ..} segment. */
  DOT_SEGMENT,
  /** A control, line-separator or invisible format character, raw or encoded. */
  CONTROL_CHARACTER,
  /** A raw byte outside printable ASCII in the target. */
  NON_ASCII,
  /**
   * A printable ASCII character that a path may not contain raw (space, quote, angle brackets,
   * braces, pipe, caret, backtick).
   */
  DISALLOWED_CHARACTER,
  /** A {@code #} fragment. */
  FRAGMENT,
  /** A malformed percent-escape or invalid UTF-8 after decoding. */
  BAD_ENCODING,
  /** The container's decoded path disagrees with the raw target decoded once. */
  PATH_MISMATCH,

  // UNMAPPED_ROUTE
  /** A {@code deny} rule matched: the route answers like an unmapped one. */
  DENY_RULE,

  // Shared by tokens and keys
  /** The credential does not have the required syntax. */
  MALFORMED,

  // JWT checks (INVALID_TOKEN)
  /** The token is larger than 8 KiB. */
  TOO_LARGE,
  /** The signature does not verify. */
  BAD_SIGNATURE,
  /** The {@code alg} is not one the configuration pins, or is {@code none}. */
  DISALLOWED_ALG,
  /** No published key has the token's {@code kid}. */
  UNKNOWN_KID,
  /**
   * The {@code iss} is missing, not a configured issuer, or an issuer limited to modes other than
   * the verifier's.
   */
  WRONG_ISSUER,
  /** The {@code aud} contains no configured audience. */
  WRONG_AUDIENCE,
  /** The {@code azp} is not an authorized party. */
  WRONG_AZP,
  /**
   * The {@code exp} has passed (beyond the allowed clock skew). A missing {@code exp} is {@link
   * #MISSING_CLAIM}.
   */
  EXPIRED,
  /** The {@code nbf} is in the future (beyond the allowed clock skew). */
  NOT_YET_VALID,
  /** The {@code iat} is in the future (beyond the allowed clock skew). */
  IAT_IN_FUTURE,
  /** {@code exp - iat} exceeds the maximum token lifetime. */
  LIFETIME_TOO_LONG,
  /** The {@code typ} header is not allowed. */
  BAD_TYP,
  /** A {@code crit} header is present. */
  BAD_CRIT,
  /** A required claim is missing: {@code exp}, {@code sub}, or one the issuer requires. */
  MISSING_CLAIM,

  // Key checks (INVALID_KEY)
  /** The key's checksum does not match; no store was consulted. */
  BAD_CHECKSUM,
  /** No key with this id exists (for an opaque legacy secret: no legacy key has its hash). */
  UNKNOWN_ID,
  /**
   * A key with this id exists but the presented key hashes differently (or the stored record's kind
   * or mode disagrees with the key's).
   */
  HASH_MISMATCH,
  /** A machine key where a sandbox key is expected, or the reverse. */
  WRONG_KIND,

  // PURPOSE_NOT_ALLOWED
  /** No {@code X-AOS-Purpose} header. */
  PURPOSE_MISSING,
  /** {@code X-AOS-Purpose} given more than once. */
  PURPOSE_REPEATED,
  /** {@code X-AOS-Purpose} names a purpose the rule does not list. */
  PURPOSE_UNKNOWN,

  // RATE_LIMITED
  /** The key's own limit ({@code rateLimit} of its record). */
  KEY_LIMIT,
  /** The default limit of a caller ({@code RATE_LIMIT_DEFAULT_RPM}). */
  PRINCIPAL_LIMIT,
  /** The limit of sandbox keys ({@code SANDBOX_RATE_LIMIT_PER_MINUTE}). */
  SANDBOX_LIMIT,
  /** The limit of the caller's tenant ({@code DEFAULT_TENANT_RATE_LIMIT} or its own). */
  TENANT_LIMIT,

  // BUDGET_EXHAUSTED
  /** The key has no uses left until its next refill. */
  USES_SPENT,
  /** The tenant has spent its budget for the UTC day. */
  BUDGET_SPENT,

  // VERIFIER_UNAVAILABLE
  /** The shared rate-limit state (the database) cannot be reached. */
  LIMITS_UNAVAILABLE,
  /** The JWKS could not be fetched and no usable cached key exists. */
  JWKS_UNAVAILABLE,
  /** The key store could not be reached and no cached record exists. */
  KEY_STORE_UNAVAILABLE,
  /** No verifier is configured for this plane (the {@code decide} command without one). */
  NOT_CONFIGURED,
  /** An unexpected error occurred while deciding; the request was denied. */
  INTERNAL_ERROR
}
