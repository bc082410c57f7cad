package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of {@link Enforcer#decide}: allow or deny, with the stable {@link Reason}, the HTTP
 * status to answer, and — for an allow — the {@link Principal}.
 *
 * <p>Adapters answer a deny with {@link #status()} and an {@code application/problem+json} body
 * carrying {@link #reason()}; they never reveal {@link #detail()} to the client.
 */
public final class Decision {

  private final Reason reason;
  private final @Nullable Detail detail;
  private final @Nullable Rule rule;
  private final @Nullable Principal principal;
  private final boolean violation;
  private final int retryAfterSeconds;
  // The request line it was made for, so that a confirmation at dispatch can tell whether the
  // framework is about to serve the same method and path.
  final String method;
  final String path;
  // Set by Enforcer.admit for an allow whose event waits for the response; set once, before the
  // decision leaves the enforcer.
  @Nullable PendingAudit pending;
  // Rows 15b and 15c: the rate limits that applied, for the RateLimit fields; set once, before the
  // decision leaves the enforcer.
  Admission.@Nullable Quota quota;

  Decision(
      Reason reason,
      @Nullable Detail detail,
      @Nullable Rule rule,
      @Nullable Principal principal,
      boolean violation,
      int retryAfterSeconds) {
    this(reason, detail, rule, principal, violation, retryAfterSeconds, "", "");
  }

  Decision(
      Reason reason,
      @Nullable Detail detail,
      @Nullable Rule rule,
      @Nullable Principal principal,
      boolean violation,
      int retryAfterSeconds,
      String method,
      String path) {
    this.method = requireNonNull(method);
    this.path = requireNonNull(path);
    this.reason = requireNonNull(reason);
    this.detail = detail;
    this.rule = rule;
    this.principal = principal;
    this.violation = violation;
    this.retryAfterSeconds = retryAfterSeconds;
    if (reason == Reason.AUTHENTICATED && principal == null) {
      throw new IllegalArgumentException("an authenticated decision needs a principal");
    }
    if (!reason.allows() && principal != null) {
      throw new IllegalArgumentException("a deny has no principal");
    }
    if (reason.allows() && rule == null) {
      throw new IllegalArgumentException("an allow has the rule that allowed it");
    }
  }

  /** True for {@link Reason#PUBLIC} and {@link Reason#AUTHENTICATED}. */
  public boolean allowed() {
    return reason.allows();
  }

  /** The HTTP status: 200 for an allow (the handler sets its own), the refusal status otherwise. */
  public int status() {
    return reason.status();
  }

  /** The stable reason code. */
  public Reason reason() {
    return reason;
  }

  /** The finer cause, for audit only; {@code null} when the reason says it all. */
  public @Nullable Detail detail() {
    return detail;
  }

  /** The matched rule, or {@code null} if the request was refused before or without a match. */
  public @Nullable Rule rule() {
    return rule;
  }

  /**
   * The plane whose credential the matched rule requires, or {@code null} for public, unmapped and
   * malformed requests.
   */
  public @Nullable Plane plane() {
    return rule == null ? null : rule.plane();
  }

  /** The caller, for {@link Reason#AUTHENTICATED}; {@code null} otherwise. */
  public @Nullable Principal principal() {
    return principal;
  }

  /**
   * Whether this request broke the contract rather than merely failing: a cross-plane or ambiguous
   * credential, a sandbox key in preprod or prod, or a handler the applied rule does not cover
   * ({@link Reason#DISPATCH_MISMATCH}). Audited at WARN.
   */
  public boolean violation() {
    return violation;
  }

  /**
   * Where the handler records what it knows about this request ({@link AuditAttributes}), for an
   * allow made by {@link Enforcer#admit}; {@code null} for a refusal or a decision of {@link
   * Enforcer#decide}, whose event is already recorded.
   */
  public @Nullable AuditAttributes auditAttributes() {
    PendingAudit p = pending;
    return p == null ? null : p.attributes();
  }

  /**
   * The {@code RateLimit-Policy} field (IETF httpapi draft) of the rate limits that applied to this
   * request, such as {@code "key";q=100;w=60}, or {@code null} if none did. Adapters send it with
   * the allowed response and with a refusal alike.
   */
  public @Nullable String rateLimitPolicy() {
    Admission.Quota q = quota;
    return q == null ? null : q.policy();
  }

  /**
   * The {@code RateLimit} field (IETF httpapi draft): what is left of each limit and in how many
   * seconds it is full again, such as {@code "key";r=57;t=26}; {@code null} if no limit applied.
   */
  public @Nullable String rateLimit() {
    Admission.Quota q = quota;
    return q == null ? null : q.current();
  }

  /**
   * Gives {@code header} the rate limit fields to send with the allowed response, {@value
   * Refusal#RATE_LIMIT_POLICY} then {@value Refusal#RATE_LIMIT}, or nothing if no limit applied. (A
   * refusal carries them through {@link Refusal#forEachHeader}.)
   */
  public void forEachRateLimitHeader(BiConsumer<String, String> header) {
    Admission.Quota q = quota;
    if (q != null) {
      header.accept(Refusal.RATE_LIMIT_POLICY, q.policy());
      header.accept(Refusal.RATE_LIMIT, q.current());
    }
  }

  /**
   * Seconds for {@code Retry-After}: on a 503, and on a 429 when waiting helps (0 for a key whose
   * uses are never refilled); 0 otherwise.
   */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** Reason, detail, plane and principal id; never a credential. */
  @Override
  public String toString() {
    return "Decision{"
        + reason
        + (detail == null ? "" : "/" + detail)
        + (plane() == null ? "" : ", plane=" + plane())
        + (principal == null ? "" : ", principal=" + principal.id())
        + "}";
  }
}
