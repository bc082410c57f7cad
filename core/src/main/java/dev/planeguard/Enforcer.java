package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.RequestFirewall;
import dev.planeguard.internal.Text;
import dev.planeguard.keys.ApiKey;
import dev.planeguard.keys.KeyVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision engine: applies the decision table to one request and returns a {@link Decision}.
 * Adapters (the servlet filter, the Spring starter, the CLI) call {@link #decide} and hold no
 * policy logic of their own.
 * <!-- example: Enforcer.builder -->
 *
 * <pre>{@code
 * Enforcer enforcer = Enforcer.builder()
 *     .contract(Contract.fromEnvironment())
 *     .policy(Policy.load(Path.of("planeguard.policy")))
 *     .tokenVerifier(jwtVerifier)          // human plane
 *     .machineKeyVerifier(keyVerifier)     // machine plane
 *     .build();                            // throws ConfigurationException listing every problem
 *
 * Decision decision = enforcer.decide(request);
 * }</pre>
 *
 * <h2>The decision table</h2>
 *
 * <p>{@link #decide} evaluates these rows in order; the first that applies wins. Every decision
 * produces one {@link AuditEvent}, and any exception is a deny ({@code VERIFIER_UNAVAILABLE},
 * detail {@code INTERNAL_ERROR}), never an allow.
 *
 * <table class="striped">
 *   <caption>Decision table</caption>
 *   <tr><th>#</th><th>situation</th><th>status</th><th>reason</th></tr>
 *   <tr><td>1</td><td>path or method fails the request firewall</td><td>400</td><td>MALFORMED_REQUEST</td></tr>
 *   <tr><td>2</td><td>no rule matches, or a {@code deny} rule matches</td><td>404</td><td>UNMAPPED_ROUTE</td></tr>
 *   <tr><td>3</td><td>debug rule in prod</td><td>404</td><td>DEBUG_DISABLED</td></tr>
 *   <tr><td>4</td><td>public rule (credentials not examined)</td><td>allow</td><td>PUBLIC</td></tr>
 *   <tr><td>5</td><td>a credential in the query string</td><td>400</td><td>CREDENTIAL_IN_QUERY</td></tr>
 *   <tr><td>6</td><td>two carriers, or a carrier repeated</td><td>400</td><td>AMBIGUOUS_CREDENTIALS</td></tr>
 *   <tr><td>7</td><td>no credential</td><td>401</td><td>MISSING_CREDENTIAL</td></tr>
 *   <tr><td>8</td><td>credential of another plane</td><td>401</td><td>CROSS_PLANE_CREDENTIAL</td></tr>
 *   <tr><td>9</td><td>sandbox key where not allowed</td><td>401</td><td>SANDBOX_FORBIDDEN</td></tr>
 *   <tr><td>10</td><td>{@code Authorization} scheme other than Bearer</td><td>401</td><td>UNSUPPORTED_SCHEME</td></tr>
 *   <tr><td>11</td><td>JWT fails a check</td><td>401</td><td>INVALID_TOKEN</td></tr>
 *   <tr><td>12</td><td>key malformed, bad checksum, unknown id, hash mismatch</td><td>401</td><td>INVALID_KEY</td></tr>
 *   <tr><td>13</td><td>key revoked / expired / for another mode</td><td>401</td><td>REVOKED_KEY, EXPIRED_KEY, KEY_MODE_MISMATCH</td></tr>
 *   <tr><td>14</td><td>a scope the rule requires is missing</td><td>403</td><td>INSUFFICIENT_SCOPE</td></tr>
 *   <tr><td>15</td><td>tenant header disagrees with the caller's tenant</td><td>403</td><td>TENANT_MISMATCH</td></tr>
 *   <tr><td>15a</td><td>the rule lists purposes and {@code X-AOS-Purpose} names none of them (or is
 *       missing or repeated)</td><td>403</td><td>PURPOSE_NOT_ALLOWED</td></tr>
 *   <tr><td>15b</td><td>the caller's or its tenant's rate limit is spent ({@link Admission})</td>
 *       <td>429</td><td>RATE_LIMITED</td></tr>
 *   <tr><td>15c</td><td>the tenant's budget of the day, or the key's uses, are spent</td>
 *       <td>429</td><td>BUDGET_EXHAUSTED</td></tr>
 *   <tr><td>16</td><td>the verifier cannot decide; or the audit ledger cannot take the entry of an
 *       allow (preprod, prod)</td><td>503</td><td>VERIFIER_UNAVAILABLE, AUDIT_UNAVAILABLE</td></tr>
 *   <tr><td>17</td><td>otherwise</td><td>allow</td><td>AUTHENTICATED</td></tr>
 *   <tr><td>18</td><td>after an allow, the handler the framework chose is not covered by the
 *       applied rule ({@link #confirm})</td><td>404</td><td>DISPATCH_MISMATCH</td></tr>
 * </table>
 *
 * <p>Row 16 can only arise while verifying (rows 11–13): a verifier that cannot decide produces no
 * principal, so rows 14 and 15 are never reached for it.
 *
 * <p>The plane of a credential is decided by its header, never by guessing from its value — with
 * one exception: a value shaped like a planeguard key inside {@code Authorization: Bearer} is
 * reported as {@code CROSS_PLANE_CREDENTIAL} rather than {@code INVALID_TOKEN}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Enforcer {

  /** The header carrying human credentials. Not configurable. */
  public static final String AUTHORIZATION = "Authorization";

  private static final String AUTHORIZATION_LOOKUP = "authorization";
  private static final String PURPOSE_LOOKUP =
      PlaneGuardSettings.PURPOSE_HEADER.toLowerCase(Locale.ROOT);

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");
  private static final int AUTHORIZATION_BIT = 1;
  private static final int MACHINE_BIT = 2;
  private static final int SANDBOX_BIT = 4;

  private final Contract contract;
  private final Policy policy;
  private final @Nullable TokenVerifier tokenVerifier;
  private final @Nullable KeyVerifier machineKeyVerifier;
  private final @Nullable KeyVerifier sandboxKeyVerifier;
  private final AuditSink auditSink;
  private final @Nullable AuditLedger ledger;
  private final Clock clock;
  private final LongSupplier ticker;
  private final String machineKeyHeader;
  private final String sandboxKeyHeader;
  // Lower-case names for lookups: header lookups are case-insensitive, and lower case spares an
  // adapter that indexes by lower-case name a conversion per lookup.
  private final String machineKeyLookup;
  private final String sandboxKeyLookup;
  private final String tenantLookup;
  private final Admission admission;

  /** The carrier names of each combination of carrier bits, for audit events. */
  private final List<List<String>> carrierNames;

  private final Set<String> queryCredentialNames;
  private final int retryAfterSeconds;

  private Enforcer(Builder b) {
    this.contract = requireNonNull(b.contract);
    this.policy = requireNonNull(b.policy);
    this.tokenVerifier = b.tokenVerifier;
    this.machineKeyVerifier = b.machineKeyVerifier;
    this.sandboxKeyVerifier = b.sandboxKeyVerifier;
    this.auditSink = b.auditSink;
    this.ledger = b.ledger;
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.machineKeyHeader = b.machineKeyHeader;
    this.sandboxKeyHeader = b.sandboxKeyHeader;
    this.machineKeyLookup = b.machineKeyHeader.toLowerCase(Locale.ROOT);
    this.sandboxKeyLookup = b.sandboxKeyHeader.toLowerCase(Locale.ROOT);
    this.tenantLookup = contract.tenantHeader().toLowerCase(Locale.ROOT);
    this.admission = requireNonNull(b.admission);
    List<List<String>> names = new ArrayList<>(8);
    for (int bits = 0; bits < 8; bits++) {
      List<String> carriers = new ArrayList<>(3);
      if ((bits & AUTHORIZATION_BIT) != 0) {
        carriers.add(AUTHORIZATION);
      }
      if ((bits & MACHINE_BIT) != 0) {
        carriers.add(machineKeyHeader);
      }
      if ((bits & SANDBOX_BIT) != 0) {
        carriers.add(sandboxKeyHeader);
      }
      names.add(List.copyOf(carriers));
    }
    this.carrierNames = List.copyOf(names);
    this.queryCredentialNames =
        Set.of(
            "access_token",
            "id_token",
            "api_key",
            "apikey",
            RequestFirewall.normaliseParameter(b.machineKeyHeader),
            RequestFirewall.normaliseParameter(b.sandboxKeyHeader));
    this.retryAfterSeconds = (int) Math.max(1, b.retryAfter.toSeconds());
  }

  /** A builder; {@link Builder#contract} and {@link Builder#policy} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The contract this enforcer applies. */
  public Contract contract() {
    return contract;
  }

  /** The policy this enforcer applies. */
  public Policy policy() {
    return policy;
  }

  /** The header carrying machine keys ({@code X-AOS-Key} by default). */
  public String machineKeyHeader() {
    return machineKeyHeader;
  }

  /** Rate limits, budgets and uses: rows 15b and 15c. */
  public Admission admission() {
    return admission;
  }

  /** The header carrying sandbox keys ({@code X-AOS-Customer-Key} by default). */
  public String sandboxKeyHeader() {
    return sandboxKeyHeader;
  }

  /** Decides one request. Never throws for anything the request contains; never allows on error. */
  public Decision decide(InboundRequest request) {
    long started = ticker.getAsLong();
    Outcome o = evaluate(request);
    Decision decision = o.decision(request, retryAfterSeconds);
    audit(request, decision, o.carriers, o.reserved, started, o.purpose);
    return decision;
  }

  /**
   * Decides one request whose response the adapter will see complete: like {@link #decide}, except
   * that an allow's audit event waits for {@link #finish}, so that it can carry the response
   * status, how long the application took, and the {@link AuditAttributes} the handler set ({@link
   * Decision#auditAttributes()}). A refusal is recorded at once.
   *
   * <p>The adapter must call {@link #finish} for every allow this returns, once the response is
   * complete (in a {@code finally}, and for asynchronous requests when they complete): an allow
   * never finished is never recorded, and with an audit ledger it keeps a place in the ledger's
   * queue, so that enough of them make the ledger refuse new requests (fail closed).
   */
  public Decision admit(InboundRequest request) {
    long started = ticker.getAsLong();
    Outcome o = evaluate(request);
    Decision decision = o.decision(request, retryAfterSeconds);
    if (decision.allowed()) {
      PendingAudit pending = new PendingAudit(this, request, o.carriers, o.reserved, started);
      String purpose = o.purpose;
      if (purpose != null) {
        pending.attributes().purpose(purpose);
      }
      decision.pending = pending;
      return decision;
    }
    audit(request, decision, o.carriers, o.reserved, started);
    return decision;
  }

  /**
   * Records the audit event of an allow made by {@link #admit}, with the response's status. Once
   * per decision; for a refusal, a decision of {@link #decide}, or a second call, nothing happens.
   *
   * @param decision the decision {@link #admit} returned
   * @param responseStatus the status of the complete response (0 if not known)
   */
  public void finish(Decision decision, int responseStatus) {
    PendingAudit p = decision.pending;
    if (p != null) {
      p.finish(decision, responseStatus);
    }
  }

  /** The table applied to {@code request}, not yet audited. Never throws. */
  private Outcome evaluate(InboundRequest request) {
    Outcome o = new Outcome();
    try {
      table(request, o);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("planeguard denied a request after an internal error: {}", Text.describe(e));
      o.rule = null;
      o.set(Reason.VERIFIER_UNAVAILABLE, Detail.INTERNAL_ERROR);
      o.principal = null;
    }
    return o;
  }

  /**
   * Row 18: confirms, once the framework has chosen the handler for a request this enforcer
   * allowed, that the rule it applied covers that handler. Adapters call it at the latest point
   * before the handler runs where the handler is known (a Spring MVC interceptor, a Jakarta REST
   * post-matching filter).
   *
   * <p>If the framework is about to serve another method or path than the one decided (a method
   * override filter turned {@code POST} into {@code DELETE}, a dispatch the edge did not see), the
   * request is decided again as the framework will serve it: a refusal is returned as it is, and an
   * allow must name the same caller as the first one. Then the rule must be one {@code handler} may
   * run under for that method ({@link RouteCoverage.Entry#accepts}); otherwise the answer is {@link
   * Reason#DISPATCH_MISMATCH}: 404 like any unmapped route, audited as a violation, and the handler
   * must not run.
   *
   * @param request the request as the framework serves it (its effective method)
   * @param admitted the allowing decision made for it at the edge, or {@code null} if there was
   *     none (the request is then decided now)
   * @param handler the entry of the chosen handler, from a {@link RouteCoverage} of this enforcer's
   *     policy
   * @return the decision to act on: an allow (run the handler) or a refusal (answer it)
   */
  @SuppressWarnings("ReferenceEquality") // an entry confirms decisions of this very policy instance
  public Decision confirm(
      InboundRequest request, @Nullable Decision admitted, RouteCoverage.Entry handler) {
    long started = ticker.getAsLong();
    // An allow admitted at the edge and not yet recorded is recorded as admitted only if the
    // handler runs under it; otherwise what is decided here is the request's record.
    PendingAudit pending = admitted == null ? null : admitted.pending;
    try {
      Decision decision = admitted;
      // Decided again, the request gets one audit event: the refusal, the mismatch or the allow
      // under which the handler runs, never an allow for a handler that then does not run.
      Outcome again = null;
      if (decision == null
          || !decision.allowed()
          || !decision.method.equals(request.method())
          || !decision.path.equals(request.path())) {
        again = evaluate(request);
        Decision redecided = again.decision(request, retryAfterSeconds);
        if (pending != null) {
          pending.cancel();
        }
        if (!redecided.allowed()) {
          audit(request, redecided, again.carriers, again.reserved, started);
          return redecided;
        }
        if (decision != null && decision.allowed() && !sameCaller(decision, redecided)) {
          return mismatch(request, redecided.rule(), again.reserved, started);
        }
        decision = redecided;
      }
      Rule rule = requireNonNull(decision.rule());
      boolean reserved = again != null && again.reserved;
      if (handler.policy() != policy) {
        LOG.error("planeguard: a handler's coverage was computed for another policy; refusing");
        if (pending != null) {
          pending.cancel();
        }
        return mismatch(request, rule, reserved, started);
      }
      if (!handler.accepts(rule, request.method())) {
        if (pending != null) {
          pending.cancel();
        }
        return mismatch(request, rule, reserved, started);
      }
      if (again != null) {
        audit(request, decision, again.carriers, reserved, started);
      }
      return decision;
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("planeguard refused a dispatch after an internal error: {}", Text.describe(e));
      if (pending != null) {
        pending.cancel();
      }
      return mismatch(request, null, false, started);
    }
  }

  private static boolean sameCaller(Decision a, Decision b) {
    Principal x = a.principal();
    Principal y = b.principal();
    if (x == null || y == null) {
      return x == null && y == null;
    }
    return x.getClass() == y.getClass()
        && x.id().equals(y.id())
        && Objects.equals(x.tenant(), y.tenant());
  }

  /**
   * The row-18 refusal, audited; {@code reserved} says whether a re-decision took a place in the
   * ledger for an allow, which this entry then uses.
   */
  private Decision mismatch(
      InboundRequest request, @Nullable Rule rule, boolean reserved, long started) {
    Decision decision =
        new Decision(
            Reason.DISPATCH_MISMATCH, null, rule, null, true, 0, request.method(), request.path());
    audit(request, decision, carriers(request), reserved, started);
    return decision;
  }

  /** The carrier bits of a request, for the audit event of a refusal made after the table. */
  private int carriers(InboundRequest request) {
    return (request.headers(AUTHORIZATION_LOOKUP).isEmpty() ? 0 : AUTHORIZATION_BIT)
        | (request.headers(machineKeyLookup).isEmpty() ? 0 : MACHINE_BIT)
        | (request.headers(sandboxKeyLookup).isEmpty() ? 0 : SANDBOX_BIT);
  }

  /** The decision table, top to bottom. Each row that applies sets the outcome and returns. */
  private void table(InboundRequest request, Outcome o) {
    String method = request.method();

    // Row 1: the request firewall, on the raw method, path and query; decode once.
    if (!RequestFirewall.allowedMethod(method)) {
      o.set(Reason.MALFORMED_REQUEST, Detail.DISALLOWED_METHOD);
      return;
    }
    RequestFirewall.Checked target = RequestFirewall.checkPath(request.path());
    String path = target.path();
    if (path == null) {
      o.set(Reason.MALFORMED_REQUEST, target.defect());
      return;
    }
    Detail queryDefect = RequestFirewall.checkQuery(request.query());
    if (queryDefect != null) {
      o.set(Reason.MALFORMED_REQUEST, queryDefect);
      return;
    }
    String containerPath = request.containerPath();
    if (containerPath != null && !containerPath.equals(path)) {
      o.set(Reason.MALFORMED_REQUEST, Detail.PATH_MISMATCH);
      return;
    }

    // Row 2: no rule matches, or the rule that matches is a deny rule (answered the same way).
    Rule rule = policy.match(method, path);
    if (rule == null) {
      o.set(Reason.UNMAPPED_ROUTE, null);
      return;
    }
    o.rule = rule;
    if (rule.access() == Access.DENY) {
      o.set(Reason.UNMAPPED_ROUTE, Detail.DENY_RULE);
      return;
    }

    // Row 3: debug routes do not exist in prod.
    if (rule.access() == Access.DEBUG && !contract.debugRoutesEnabled()) {
      o.set(Reason.DEBUG_DISABLED, null);
      return;
    }

    // Row 4: public routes; credentials are not examined.
    if (rule.access() == Access.PUBLIC) {
      o.set(Reason.PUBLIC, null);
      return;
    }

    // Row 5: a credential in the query string.
    if (RequestFirewall.hasParameter(request.query(), queryCredentialNames)) {
      o.set(Reason.CREDENTIAL_IN_QUERY, null);
      return;
    }

    // Row 6: more than one credential: two carriers, or one carrier repeated.
    List<String> authorization = request.headers(AUTHORIZATION_LOOKUP);
    List<String> machineKeys = request.headers(machineKeyLookup);
    List<String> sandboxKeys = request.headers(sandboxKeyLookup);
    o.carriers =
        (authorization.isEmpty() ? 0 : AUTHORIZATION_BIT)
            | (machineKeys.isEmpty() ? 0 : MACHINE_BIT)
            | (sandboxKeys.isEmpty() ? 0 : SANDBOX_BIT);
    int presented = authorization.size() + machineKeys.size() + sandboxKeys.size();
    if (presented > 1) {
      o.set(Reason.AMBIGUOUS_CREDENTIALS, null);
      o.violation = true;
      return;
    }

    // Row 7: no credential.
    if (presented == 0) {
      o.set(Reason.MISSING_CREDENTIAL, null);
      return;
    }

    // Row 8: the credential of another plane. The header decides the plane, never the value,
    // except that a planeguard key inside "Authorization: Bearer" is called what it is.
    Plane plane = requireNonNull(rule.plane());
    String authorizationValue = authorization.isEmpty() ? null : authorization.get(0);
    int bearerStart = authorizationValue == null ? -1 : bearerStart(authorizationValue);
    boolean crossPlane =
        plane == Plane.MACHINE
            ? machineKeys.isEmpty()
            : !machineKeys.isEmpty()
                || (bearerStart >= 0 && keyShaped(requireNonNull(authorizationValue), bearerStart));
    if (crossPlane) {
      o.set(Reason.CROSS_PLANE_CREDENTIAL, null);
      o.violation = true;
      return;
    }

    // Row 9: a sandbox key where sandbox keys are not allowed.
    if (!sandboxKeys.isEmpty() && sandboxKeyVerifier == null) {
      o.set(Reason.SANDBOX_FORBIDDEN, null);
      o.violation = contract.mode().isProductionLike();
      return;
    }

    // Row 10: an Authorization scheme other than Bearer.
    if (!authorization.isEmpty() && bearerStart < 0) {
      o.set(Reason.UNSUPPORTED_SCHEME, null);
      return;
    }

    // Rows 11-13 and 16: verify the one credential with the verifier of its carrier.
    Verification verification;
    Class<? extends Principal> expected;
    if (plane == Plane.MACHINE) {
      verification =
          requireNonNull(machineKeyVerifier)
              .verify(machineKeys.get(0), ApiKey.Kind.MACHINE, contract.mode());
      expected = MachinePrincipal.class;
    } else if (!sandboxKeys.isEmpty()) {
      verification =
          requireNonNull(sandboxKeyVerifier)
              .verify(sandboxKeys.get(0), ApiKey.Kind.SANDBOX, contract.mode());
      expected = SandboxPrincipal.class;
    } else {
      String value = requireNonNull(authorizationValue);
      TokenVerifier verifier = requireNonNull(tokenVerifier);
      if (bearerStart == value.length()) {
        verification = Verification.rejected(Reason.INVALID_TOKEN, Detail.MALFORMED);
      } else if (verifier instanceof JwtVerifier jwt) {
        verification = jwt.verifyAuthorization(value, bearerStart); // no copy of the token
      } else {
        verification = verifier.verify(value.substring(bearerStart));
      }
      expected = HumanPrincipal.class;
    }
    if (verification instanceof Verification.Rejected rejected) {
      o.set(rejected.reason(), rejected.detail());
      return;
    }
    if (verification instanceof Verification.Unavailable unavailable) {
      o.set(Reason.VERIFIER_UNAVAILABLE, unavailable.detail());
      return;
    }
    Principal principal = ((Verification.Verified) verification).principal();
    if (!expected.isInstance(principal)) {
      throw new IllegalStateException(
          "verifier returned a "
              + principal.getClass().getSimpleName()
              + " on the "
              + plane
              + " plane");
    }

    // Row 14: a scope the rule requires is missing.
    if (!rule.scopes().isEmpty() && !principal.scopes().containsAll(rule.scopes())) {
      o.set(Reason.INSUFFICIENT_SCOPE, null);
      return;
    }

    // Row 15: the tenant header names another tenant than the caller's.
    if (contract.enforceTenancy()) {
      List<String> tenants = request.headers(tenantLookup);
      if (!tenants.isEmpty()
          && (tenants.size() > 1 || !tenants.get(0).equals(principal.tenant()))) {
        o.set(Reason.TENANT_MISMATCH, null);
        return;
      }
    }

    // Row 15a: the rule serves only the purposes it lists; the request names one of them.
    if (!rule.purposes().isEmpty()) {
      List<String> purposes = request.headers(PURPOSE_LOOKUP);
      if (purposes.size() != 1) {
        o.set(
            Reason.PURPOSE_NOT_ALLOWED,
            purposes.isEmpty() ? Detail.PURPOSE_MISSING : Detail.PURPOSE_REPEATED);
        return;
      }
      String purpose = purposes.get(0);
      if (!rule.purposes().contains(purpose)) {
        o.set(Reason.PURPOSE_NOT_ALLOWED, Detail.PURPOSE_UNKNOWN);
        return;
      }
      o.purpose = purpose;
    }

    // Rows 15b and 15c: rate limits, then the tenant's budget and the key's uses.
    Admission.Verdict verdict = admission.admit(principal);
    o.quota = verdict.quota;
    Reason refused = verdict.reason;
    if (refused != null) {
      o.set(refused, verdict.detail);
      o.limitRetryAfter = verdict.retryAfterSeconds;
      return;
    }

    // Row 16: the audit ledger cannot take this allow's entry. In local and test the request goes
    // on (the ledger warns); in preprod and prod no request is served that the ledger cannot hold.
    AuditLedger l = ledger;
    if (l != null) {
      o.reserved = l.reserve();
      if (!o.reserved && contract.mode().isProductionLike()) {
        o.set(Reason.AUDIT_UNAVAILABLE, null);
        return;
      }
    }

    // Row 17: allowed.
    o.set(Reason.AUTHENTICATED, null);
    o.principal = principal;
  }

  /**
   * Where the credential starts in an {@code Authorization} value whose scheme is Bearer
   * (case-insensitive, followed by exactly one space), or -1 for any other scheme. {@code "Bearer"}
   * alone gives 6, the end of the value: an empty credential.
   */
  private static int bearerStart(String value) {
    if (!value.regionMatches(true, 0, "Bearer", 0, 6)) {
      return -1;
    }
    if (value.length() == 6) {
      return 6;
    }
    return value.charAt(6) == ' ' ? 7 : -1;
  }

  /** Whether the Bearer credential starting at {@code start} has the shape of a planeguard key. */
  private static boolean keyShaped(String value, int start) {
    int length = value.length() - start;
    return length >= ApiKey.MIN_LENGTH
        && length <= ApiKey.MAX_LENGTH
        && ApiKey.hasKeyShape(value.substring(start));
  }

  private void audit(
      InboundRequest request, Decision decision, int carriers, boolean reserved, long started) {
    audit(request, decision, carriers, reserved, started, null);
  }

  private void audit(
      InboundRequest request,
      Decision decision,
      int carriers,
      boolean reserved,
      long started,
      @Nullable String purpose) {
    audit(
        request,
        decision,
        carriers,
        reserved,
        clock.instant(),
        ticker.getAsLong() - started,
        0,
        -1,
        purpose == null ? Map.of() : Map.of("purpose", purpose));
  }

  /**
   * Charges the cost the handler of an allowed request recorded ({@link AuditAttributes#costCents})
   * to its tenant's budget of the day.
   */
  void charge(Decision decision, Map<String, Object> attributes) {
    Principal principal = decision.principal();
    if (principal != null && attributes.get("cost_cents") instanceof Long cents) {
      admission.charge(principal.tenant(), cents);
    }
  }

  /** Records one decision's event: in the ledger (if any), then in the audit sink. */
  void audit(
      InboundRequest request,
      Decision decision,
      int carriers,
      boolean reserved,
      Instant time,
      long durationNanos,
      int responseStatus,
      long handlingNanos,
      Map<String, Object> attributes) {
    try {
      Rule rule = decision.rule();
      Principal principal = decision.principal();
      String keyId = keyId(request, principal, carriers);
      AuditEvent event =
          AuditEvent.builder()
              .time(time)
              .mode(contract.mode())
              .method(Text.escape(request.method(), 16))
              .route(rule == null ? null : rule.pattern())
              .rawPath(request.path())
              .plane(decision.plane())
              .carriers(carrierNames.get(carriers))
              .outcome(decision.allowed(), decision.reason(), decision.detail())
              .principal(
                  principal == null ? null : principal.id(),
                  principal == null ? null : principal.tenant())
              .keyId(keyId)
              .rawRequestId(request.requestId())
              .durationNanos(durationNanos)
              .violation(decision.violation())
              .responseStatus(responseStatus)
              .handlingNanos(handlingNanos)
              .attributes(attributes)
              .build();
      // The ledger first: it never throws, and a sink that does must not cost the ledger its
      // entry (nor leave the place reserved for it taken).
      AuditLedger l = ledger;
      if (l != null) {
        l.record(event, reserved);
        if (decision.reason() == Reason.EXPIRED_KEY && keyId != null) {
          l.keyExpired(keyId, event.time());
        }
      }
      auditSink.record(event);
    } catch (RuntimeException e) {
      LOG.error("planeguard audit sink failed: {}", Text.describe(e));
    }
  }

  /** Gives back the place row 16 reserved in the ledger for an event that will not be recorded. */
  void releaseReservation() {
    AuditLedger l = ledger;
    if (l != null) {
      l.release();
    }
  }

  /** Nanoseconds, as the enforcer measures durations. */
  long nanoTime() {
    return ticker.getAsLong();
  }

  /** The time stamp of audit events. */
  Instant now() {
    return clock.instant();
  }

  /**
   * The id of the key behind a decision: the principal's for an allow, else the id of a presented
   * key whose checksum holds (a refused key still names the key it claims to be).
   */
  private @Nullable String keyId(
      InboundRequest request, @Nullable Principal principal, int carriers) {
    if (principal instanceof MachinePrincipal || principal instanceof SandboxPrincipal) {
      return principal.id();
    }
    if (principal != null || (carriers & (MACHINE_BIT | SANDBOX_BIT)) == 0) {
      return null;
    }
    List<String> values =
        request.headers((carriers & MACHINE_BIT) != 0 ? machineKeyLookup : sandboxKeyLookup);
    ApiKey key = values.size() == 1 ? ApiKey.tryParse(values.get(0)) : null;
    return key == null ? null : key.id();
  }

  /** What the table concluded; mutable only while {@link #table} runs. */
  private static final class Outcome {
    Reason reason = Reason.VERIFIER_UNAVAILABLE;
    @Nullable Detail detail = Detail.INTERNAL_ERROR;
    @Nullable Rule rule;
    @Nullable Principal principal;
    boolean violation;
    int carriers;
    // Whether row 16 took a place in the audit ledger for this request's entry.
    boolean reserved;
    // Row 15a's purpose, once the request named one the rule lists.
    @Nullable String purpose;
    // Rows 15b and 15c: the limits to report, and when to come back after a refusal.
    Admission.@Nullable Quota quota;
    int limitRetryAfter;

    void set(Reason reason, @Nullable Detail detail) {
      this.reason = reason;
      this.detail = detail;
    }

    Decision decision(InboundRequest request, int retryAfterSeconds) {
      Decision d =
          new Decision(
              reason,
              detail,
              rule,
              principal,
              violation,
              !reason.answersWithRetryAfter()
                  ? 0
                  : reason.status() == 429 ? limitRetryAfter : retryAfterSeconds,
              request.method(),
              request.path());
      d.quota = quota;
      return d;
    }
  }

  /** Builds an {@link Enforcer}; {@link #build()} checks the whole configuration at once. */
  public static final class Builder {
    private @Nullable Contract contract;
    private @Nullable Policy policy;
    private @Nullable TokenVerifier tokenVerifier;
    private @Nullable KeyVerifier machineKeyVerifier;
    private @Nullable KeyVerifier sandboxKeyVerifier;
    private AuditSink auditSink = AuditSink.slf4j();
    private @Nullable AuditLedger ledger;
    private Clock clock = Clock.systemUTC();
    private LongSupplier ticker = System::nanoTime;
    private String machineKeyHeader = PlaneGuardSettings.MACHINE_KEY_HEADER;
    private String sandboxKeyHeader = PlaneGuardSettings.SANDBOX_KEY_HEADER;
    private Duration retryAfter = Duration.ofSeconds(5);
    private @Nullable Admission admission;

    private Builder() {}

    /**
     * Rate limits, budgets and uses (rows 15b, 15c). Without one, an admission with only the keys'
     * own limits and the sandbox's default limit, counted in this process.
     */
    public Builder admission(Admission admission) {
      this.admission = requireNonNull(admission, "admission");
      return this;
    }

    /** The environment contract (required). */
    public Builder contract(Contract contract) {
      this.contract = requireNonNull(contract, "contract");
      return this;
    }

    /** The route policy (required). */
    public Builder policy(Policy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /** Verifies JWTs on the human plane; required if the policy has human-plane rules. */
    public Builder tokenVerifier(TokenVerifier verifier) {
      this.tokenVerifier = requireNonNull(verifier, "verifier");
      return this;
    }

    /** Verifies machine keys; required if the policy has machine-plane rules. */
    public Builder machineKeyVerifier(KeyVerifier verifier) {
      this.machineKeyVerifier = requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Verifies sandbox keys on the human plane. Only allowed where the contract allows sandbox keys
     * (local; test with {@code CUSTOMER_SANDBOX_ENABLED=true}); without it every sandbox key is
     * {@code SANDBOX_FORBIDDEN}.
     */
    public Builder sandboxKeyVerifier(KeyVerifier verifier) {
      this.sandboxKeyVerifier = requireNonNull(verifier, "verifier");
      return this;
    }

    /** Where audit events go; the SLF4J logger {@code planeguard.audit} by default. */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = requireNonNull(sink, "sink");
      return this;
    }

    /**
     * The audit ledger, written beside the audit sink: every decision becomes an entry, and while
     * the ledger cannot take entries, requests that would be allowed are refused in preprod and
     * prod (row 16, {@link Reason#AUDIT_UNAVAILABLE}). The enforcer does not close it.
     */
    public Builder auditLedger(@Nullable AuditLedger ledger) {
      this.ledger = ledger;
      return this;
    }

    /** The clock stamping audit events; {@link Clock#systemUTC()} by default. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Nanosecond ticker measuring decision durations; {@link System#nanoTime()} by default. */
    public Builder ticker(LongSupplier ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /** Renames the machine key header ({@code X-AOS-Key}). */
    public Builder machineKeyHeader(String name) {
      this.machineKeyHeader = requireNonNull(name, "name");
      return this;
    }

    /** Renames the sandbox key header ({@code X-AOS-Customer-Key}). */
    public Builder sandboxKeyHeader(String name) {
      this.sandboxKeyHeader = requireNonNull(name, "name");
      return this;
    }

    /** {@code Retry-After} for 503 answers; 5 seconds by default, at least 1. */
    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = requireNonNull(retryAfter, "retryAfter");
      return this;
    }

    /**
     * Builds the enforcer and logs the contract's warnings.
     *
     * @throws ConfigurationException listing every problem with the configuration
     */
    public Enforcer build() {
      List<Problem> problems = new ArrayList<>();
      if (contract == null) {
        problems.add(
            new Problem("contract", "no environment contract", "call contract(Contract...)"));
      }
      if (policy == null) {
        problems.add(new Problem("policy", "no policy", "call policy(Policy...)"));
      }
      if (policy != null && policy.uses(Plane.HUMAN) && tokenVerifier == null) {
        problems.add(
            new Problem(
                "human plane",
                "the policy has human-plane rules but no token verifier is configured",
                "configure a human issuer (JWT verifier)"));
      }
      if (contract != null && tokenVerifier instanceof JwtVerifier jwt) {
        problems.addAll(jwt.problemsIn(contract.mode()));
      }
      if (policy != null && policy.uses(Plane.MACHINE) && machineKeyVerifier == null) {
        problems.add(
            new Problem(
                "machine plane",
                "the policy has machine-plane rules but no key verifier is configured",
                "configure machine keys (a key file or store)"));
      }
      if (contract != null && sandboxKeyVerifier != null && !contract.sandboxAllowed()) {
        problems.add(
            new Problem(
                "sandbox keys",
                "sandbox keys are configured but AOS_MODE="
                    + contract.mode()
                    + " does not allow them",
                contract.mode().isProductionLike()
                    ? "remove the sandbox key configuration: sandbox keys never work in "
                        + contract.mode()
                    : "remove the sandbox key configuration or set CUSTOMER_SANDBOX_ENABLED=true"));
      }
      checkHeader(machineKeyHeader, "machine key header", problems);
      checkHeader(sandboxKeyHeader, "sandbox key header", problems);
      String tenant = contract == null ? null : contract.tenantHeader();
      List<String> names = new ArrayList<>();
      names.add(AUTHORIZATION.toLowerCase(Locale.ROOT));
      for (String name : new String[] {machineKeyHeader, sandboxKeyHeader, tenant}) {
        if (name != null) {
          String lower = name.toLowerCase(Locale.ROOT);
          if (names.contains(lower)) {
            problems.add(
                new Problem(
                    name,
                    "the same header is used for two purposes",
                    "give the authorization, machine key, sandbox key and tenant headers distinct"
                        + " names"));
          }
          names.add(lower);
        }
      }
      if (retryAfter.isNegative() || retryAfter.toSeconds() > 3600) {
        problems.add(
            new Problem(
                "retryAfter",
                "must be between 1 second and 1 hour",
                "set retryAfter between 1 second and 1 hour (5 seconds by default)"));
      }
      if (!problems.isEmpty()) {
        throw new ConfigurationException("Invalid planeguard configuration", problems);
      }
      for (Problem warning : requireNonNull(contract).warnings()) {
        LOG.warn("planeguard contract warning: {}", warning);
      }
      if (admission == null) {
        admission = Admission.builder().build();
      }
      return new Enforcer(this);
    }

    private static void checkHeader(String name, String what, List<Problem> problems) {
      if (!PlaneGuardSettings.isHeaderName(name)) {
        problems.add(
            new Problem(
                what,
                "is not a valid header name: " + Text.quote(name, 64),
                "use a header name of letters, digits and - (at most 64 characters), such as"
                    + " X-AOS-Key"));
      }
    }
  }
}
