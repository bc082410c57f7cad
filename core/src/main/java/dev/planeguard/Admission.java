package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Buckets;
import dev.planeguard.internal.Text;
import dev.planeguard.keys.KeyLimits;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission after authentication: rate limits, budgets and remaining uses (decision rows 15b and
 * 15c). The enforcer asks it about every authenticated caller after scopes, tenant and purpose.
 * <!-- example: Admission.builder -->
 *
 * <pre>{@code
 * Admission admission = Admission.builder()
 *     .callerLimit(RateLimit.perMinute(600).withBurst(900)) // every caller without a limit of its own
 *     .tenantLimit(RateLimit.perMinute(6000))               // every tenant...
 *     .tenantLimit("acme", RateLimit.perMinute(60_000))     // ...but this one
 *     .tenantBudgetCents(5_000L)                            // per tenant and UTC day
 *     .build();
 * Enforcer enforcer = Enforcer.builder()
 *     .contract(contract)
 *     .policy(policy)
 *     .machineKeyVerifier(keys)
 *     .admission(admission)
 *     .build();
 * }</pre>
 *
 * <h2>What is limited</h2>
 *
 * <ul>
 *   <li><b>The caller</b>: a machine or sandbox key by its own limit ({@link KeyLimits#rateLimit()}
 *       in its record) if it has one; otherwise a sandbox key by {@link Builder#sandboxLimit} and
 *       any other caller (a key, or a human by issuer and subject) by {@link Builder#callerLimit}.
 *       Refused: 429 {@code RATE_LIMITED}.
 *   <li><b>The caller's tenant</b>, if it has one, by its own limit ({@link
 *       Builder#tenantLimit(String, RateLimit)}) or the default ({@link
 *       Builder#tenantLimit(RateLimit)}). Refused: 429 {@code RATE_LIMITED}.
 *   <li><b>The tenant's budget</b> of the UTC day ({@link Builder#tenantBudgetCents}): handlers
 *       charge costs through {@link AuditAttributes#costCents}; once the day's charges reach the
 *       budget, the tenant's requests are refused (429 {@code BUDGET_EXHAUSTED}) until the next UTC
 *       day: refused rather than served worse.
 *   <li><b>A key's uses</b> ({@link KeyLimits#uses()}): each allowed request takes one; with none
 *       left the key is refused (429 {@code BUDGET_EXHAUSTED}) until its refill, if it has one.
 * </ul>
 *
 * <p>A key's own limit and uses apply whenever the key is used, whatever else is configured; the
 * other limits apply only as configured here.
 *
 * <h2>Where the counts live</h2>
 *
 * <p>By default in this process (Bucket4j token buckets, at most {@link Builder#maxBuckets} of
 * them, each dropped only once idle for as long as it takes to fill up again). A process restart
 * starts every count afresh, uses included. A fleet shares them in a PostgreSQL table ({@link
 * Builder#jdbc}): each node may spend up to {@link Builder#localAllowance} tokens of a bucket (or
 * wait up to {@link Builder#maxDelay}) before it writes them to the table, so steady traffic costs
 * one round trip per allowance rather than per request, and N nodes may together overshoot a limit
 * by at most N times the allowance. If the table cannot be reached, requests that need it are
 * refused (503 {@code VERIFIER_UNAVAILABLE}, fail closed).
 *
 * <p>Instances are thread-safe.
 */
public final class Admission {

  /** The shared table unless told otherwise ({@link Builder#jdbc}). */
  public static final String DEFAULT_TABLE = "planeguard_rate_limits";

  /** Most buckets held in memory unless told otherwise. */
  public static final long DEFAULT_MAX_BUCKETS = 100_000;

  /** Tokens a node spends of a shared bucket before it writes them, unless told otherwise. */
  public static final long DEFAULT_LOCAL_ALLOWANCE = 10;

  /** Longest a node waits before it writes what it spent of a shared bucket. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMillis(500);

  /** The sandbox limit unless told otherwise: 60 requests a minute per sandbox key. */
  public static final RateLimit DEFAULT_SANDBOX_LIMIT = RateLimit.perMinute(60);

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");
  private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
  // Uses without a refill are given back after ten years: never, for a key.
  private static final Duration NEVER = Duration.ofDays(3650);
  private static final long NANOS = 1_000_000_000L;

  private final @Nullable RateLimit callerLimit;
  private final RateLimit sandboxLimit;
  private final @Nullable RateLimit tenantLimit;
  private final Map<String, RateLimit> tenantLimits;
  private final @Nullable Long tenantBudget;
  private final Map<String, Long> tenantBudgets;
  private final Buckets buckets;
  private final Clock clock;
  private final boolean tenantRules;
  private final Buckets.@Nullable Shape callerShape;
  private final Buckets.@Nullable Shape tenantShape;

  private Admission(Builder b, Buckets buckets) {
    this.callerLimit = b.callerLimit;
    this.sandboxLimit = b.sandboxLimit;
    this.tenantLimit = b.tenantLimit;
    this.tenantLimits = Map.copyOf(b.tenantLimits);
    this.tenantBudget = b.tenantBudget;
    this.tenantBudgets = Map.copyOf(b.tenantBudgets);
    this.buckets = buckets;
    this.clock = b.clock;
    this.callerShape = callerLimit == null ? null : greedy(callerLimit);
    this.tenantShape = tenantLimit == null ? null : greedy(tenantLimit);
    this.tenantRules =
        tenantLimit != null
            || !tenantLimits.isEmpty()
            || tenantBudget != null
            || !tenantBudgets.isEmpty();
  }

  /**
   * The problems of the rate-limit contract variables in {@code environment} ({@code
   * RATE_LIMIT_ENABLED}, {@code RATE_LIMIT_DEFAULT_RPM}, {@code RATE_LIMIT_BURST_RPM}, {@code
   * SANDBOX_RATE_LIMIT_PER_MINUTE}, {@code DEFAULT_TENANT_RATE_LIMIT}, {@code
   * DEFAULT_TENANT_BUDGET_CENTS}), each naming the variable with the fix; empty if they are valid.
   * Every adapter's startup ({@link PlaneGuard#assemble}) reports the same problems.
   */
  public static List<Problem> check(Map<String, String> environment) {
    return List.copyOf(AdmissionSettings.problems(environment));
  }

  /**
   * Why {@code table} of {@code dataSource} cannot hold shared counts: one problem named {@code
   * subject}, with the table, the SQLState and its cause, and the fix; empty if it can. One query:
   * the assembly asks at startup, {@code planeguard keys list} before it reads the uses left.
   */
  public static List<Problem> tableProblems(DataSource dataSource, String table, String subject) {
    String unusable = Buckets.checkTable(dataSource, table);
    return unusable == null
        ? List.of()
        : List.of(
            new Problem(
                subject,
                unusable,
                "apply dev/planeguard/sql/postgresql/V4__planeguard_rate_limits.sql (see"
                    + " docs/rate-limits.md), and grant the application's role SELECT, INSERT,"
                    + " UPDATE and DELETE on "
                    + table));
  }

  /** A builder: no limits but the keys' own and the sandbox's, counted in this process. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default limit of callers, or {@code null} if callers have none. */
  public @Nullable RateLimit callerLimit() {
    return callerLimit;
  }

  /** The limit of each sandbox key without a limit of its own. */
  public RateLimit sandboxLimit() {
    return sandboxLimit;
  }

  /** The default limit of tenants, or {@code null} if tenants have none. */
  public @Nullable RateLimit tenantLimit() {
    return tenantLimit;
  }

  /** The default budget of tenants, in cents per UTC day, or {@code null} for none. */
  public @Nullable Long tenantBudgetCents() {
    return tenantBudget;
  }

  /** Whether counts are shared through a database table. */
  public boolean shared() {
    return buckets.isShared();
  }

  /** What admission concluded for one caller: admitted (with its quota) or refused. */
  static final class Verdict {
    static final Verdict ADMITTED = new Verdict(null, null, 0, null);

    final @Nullable Reason reason;
    final @Nullable Detail detail;
    final int retryAfterSeconds;
    final @Nullable Quota quota;

    Verdict(
        @Nullable Reason reason,
        @Nullable Detail detail,
        int retryAfterSeconds,
        @Nullable Quota quota) {
      this.reason = reason;
      this.detail = detail;
      this.retryAfterSeconds = retryAfterSeconds;
      this.quota = quota;
    }
  }

  /**
   * The rate limits a response reports: up to two (the caller's and its tenant's), as the {@code
   * RateLimit-Policy} and {@code RateLimit} fields of the IETF httpapi draft render them.
   */
  static final class Quota {
    // At most two entries, in fields: one object per limited request; text made only when asked.
    private @Nullable String name0;
    private @Nullable RateLimit limit0;
    private long remaining0;
    private long reset0;
    private @Nullable String name1;
    private @Nullable RateLimit limit1;
    private long remaining1;
    private long reset1;

    void add(String name, RateLimit limit, long left, long reset) {
      if (name0 == null) {
        name0 = name;
        limit0 = limit;
        remaining0 = left;
        reset0 = reset;
      } else {
        name1 = name;
        limit1 = limit;
        remaining1 = left;
        reset1 = reset;
      }
    }

    /** {@code "key";q=100;w=60, "tenant";q=6000;w=60}. */
    String policy() {
      StringBuilder s = new StringBuilder();
      policy(s, name0, limit0);
      if (name1 != null) {
        policy(s.append(", "), name1, limit1);
      }
      return s.toString();
    }

    private static void policy(StringBuilder s, @Nullable String name, @Nullable RateLimit limit) {
      if (name != null && limit != null) {
        s.append('"')
            .append(name)
            .append("\";q=")
            .append(limit.requests())
            .append(";w=")
            .append(limit.period().toSeconds());
      }
    }

    /** {@code "key";r=57;t=26, "tenant";r=5990;t=1}. */
    String current() {
      StringBuilder s = new StringBuilder();
      s.append('"').append(name0).append("\";r=").append(remaining0).append(";t=").append(reset0);
      if (name1 != null) {
        s.append(", \"")
            .append(name1)
            .append("\";r=")
            .append(remaining1)
            .append(";t=")
            .append(reset1);
      }
      return s.toString();
    }
  }

  /**
   * Rows 15b and 15c for an authenticated caller. Never throws: a count that cannot be reached is a
   * refusal ({@code VERIFIER_UNAVAILABLE}).
   */
  Verdict admit(Principal principal) {
    KeyLimits own =
        principal instanceof MachinePrincipal m
            ? m.limits()
            : principal instanceof SandboxPrincipal s ? s.limits() : KeyLimits.NONE;
    String tenant = principal.tenant();
    boolean sandbox = principal instanceof SandboxPrincipal;
    if (own.none() && callerLimit == null && !sandbox && (tenant == null || !tenantRules)) {
      return Verdict.ADMITTED;
    }
    try {
      return admit(principal, own, sandbox, tenant);
    } catch (RuntimeException e) {
      LOG.error("planeguard could not reach the rate-limit counts: {}", Text.describe(e));
      return new Verdict(Reason.VERIFIER_UNAVAILABLE, Detail.LIMITS_UNAVAILABLE, 0, null);
    }
  }

  private Verdict admit(
      Principal principal, KeyLimits own, boolean sandbox, @Nullable String tenant) {
    Quota quota = null;
    // Row 15b: the caller's limit.
    RateLimit ownRate = own.rateLimit();
    RateLimit callerRate;
    String name;
    Detail detail;
    char kind;
    if (ownRate != null) {
      callerRate = ownRate;
      name = "key";
      detail = Detail.KEY_LIMIT;
      kind = 'k';
    } else if (sandbox) {
      callerRate = sandboxLimit;
      name = "sandbox";
      detail = Detail.SANDBOX_LIMIT;
      kind = 's';
    } else {
      callerRate = callerLimit;
      name = "caller";
      detail = Detail.PRINCIPAL_LIMIT;
      kind = principal instanceof HumanPrincipal ? 'h' : 'p';
    }
    Bucket callerBucket = null;
    if (callerRate != null) {
      String id =
          principal instanceof HumanPrincipal h ? h.issuer() + " " + h.subject() : principal.id();
      callerBucket = buckets.get(new Buckets.Id(kind, id, shape(callerRate)));
      ConsumptionProbe probe = callerBucket.tryConsumeAndReturnRemaining(1);
      quota = new Quota();
      if (!probe.isConsumed()) {
        int retry = seconds(probe.getNanosToWaitForRefill());
        quota.add(name, callerRate, 0, retry);
        return new Verdict(Reason.RATE_LIMITED, detail, retry, quota);
      }
      quota.add(name, callerRate, probe.getRemainingTokens(), resetSeconds(callerRate, probe));
    }
    // Row 15b: the tenant's limit.
    RateLimit tenantRate = tenant == null ? null : tenantLimits.getOrDefault(tenant, tenantLimit);
    if (tenant != null && tenantRate != null) {
      Bucket bucket = buckets.get(new Buckets.Id('t', tenant, shape(tenantRate)));
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      if (quota == null) {
        quota = new Quota();
      }
      if (!probe.isConsumed()) {
        if (callerBucket != null) {
          callerBucket.addTokens(1); // the caller's request was not served
        }
        int retry = seconds(probe.getNanosToWaitForRefill());
        quota.add("tenant", tenantRate, 0, retry);
        return new Verdict(Reason.RATE_LIMITED, Detail.TENANT_LIMIT, retry, quota);
      }
      quota.add("tenant", tenantRate, probe.getRemainingTokens(), resetSeconds(tenantRate, probe));
    }
    // Row 15c: the tenant's budget of the day, then the key's uses.
    Long budget = tenant == null ? null : tenantBudgets.getOrDefault(tenant, tenantBudget);
    if (tenant != null
        && budget != null
        && budgetBucket(tenant, budget).getAvailableTokens() <= 0) {
      return new Verdict(Reason.BUDGET_EXHAUSTED, Detail.BUDGET_SPENT, untilTomorrow(), quota);
    }
    Long uses = own.uses();
    if (uses != null) {
      Duration refill = own.usesRefill();
      Bucket bucket = usesBucket(principal.id(), uses, refill);
      ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
      if (!probe.isConsumed()) {
        int retry = refill == null ? 0 : seconds(probe.getNanosToWaitForRefill());
        return new Verdict(Reason.BUDGET_EXHAUSTED, Detail.USES_SPENT, retry, quota);
      }
    }
    return quota == null ? Verdict.ADMITTED : new Verdict(null, null, 0, quota);
  }

  /**
   * How many uses {@code record}'s key has left in these counts, or {@code null} if it has no uses
   * limit. Meant for counts shared through a table ({@link Builder#jdbc}), where every node's uses
   * are written (up to each node's local allowance); in a fresh admission of this process the
   * answer is the key's full count. A key never used yet gets its bucket, full, as its first use
   * would.
   *
   * @throws RuntimeException (from Bucket4j) if the shared table cannot be reached
   */
  public @Nullable Long usesLeft(dev.planeguard.keys.KeyRecord record) {
    KeyLimits limits = record.limits();
    Long uses = limits.uses();
    if (uses == null) {
      return null;
    }
    Duration refill = limits.usesRefill();
    return Math.max(0, usesBucket(record.id(), uses, refill).getAvailableTokens());
  }

  /** The uses of key {@code id}: {@code uses} at most, given back in full every {@code refill}. */
  private Bucket usesBucket(String id, long uses, @Nullable Duration refill) {
    return buckets.get(
        new Buckets.Id(
            'u', id, new Buckets.Shape(uses, uses, refill == null ? NEVER : refill, false)));
  }

  /**
   * Charges {@code cents} to the budget of {@code tenant}'s current UTC day. Never throws and never
   * refuses: the request was served; the next one is refused once the budget is spent.
   */
  void charge(@Nullable String tenant, long cents) {
    if (tenant == null || cents <= 0) {
      return;
    }
    Long budget = tenantBudgets.getOrDefault(tenant, tenantBudget);
    if (budget == null) {
      return;
    }
    try {
      budgetBucket(tenant, budget).consumeIgnoringRateLimits(cents);
    } catch (RuntimeException e) {
      LOG.error(
          "planeguard could not charge {} cents to tenant {}: {}",
          cents,
          Text.escape(tenant, 128),
          Text.describe(e));
    }
  }

  private Bucket budgetBucket(String tenant, long budget) {
    LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    // One bucket per tenant and day: a new day is a new, full bucket. It never refills.
    return buckets.get(
        new Buckets.Id('b', tenant + "@" + day, new Buckets.Shape(budget, budget, NEVER, false)));
  }

  private int untilTomorrow() {
    long now = clock.instant().getEpochSecond();
    long tomorrow =
        LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
            .plusDays(1)
            .atStartOfDay(ZoneOffset.UTC)
            .toEpochSecond();
    return (int) Math.max(1, tomorrow - now);
  }

  @SuppressWarnings("ReferenceEquality") // the configured limit itself, whose shape is made once
  private Buckets.Shape shape(RateLimit limit) {
    Buckets.Shape caller = callerShape;
    if (limit == callerLimit && caller != null) {
      return caller;
    }
    Buckets.Shape tenant = tenantShape;
    if (limit == tenantLimit && tenant != null) {
      return tenant;
    }
    return greedy(limit);
  }

  private static Buckets.Shape greedy(RateLimit limit) {
    return new Buckets.Shape(limit.burst(), limit.requests(), limit.period(), true);
  }

  /** Whole seconds, rounded up, at least 1. */
  private static int seconds(long nanos) {
    long s = (nanos + NANOS - 1) / NANOS;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, s));
  }

  /** Seconds until a greedy bucket with {@code probe}'s remaining tokens is full again. */
  private static long resetSeconds(RateLimit limit, ConsumptionProbe probe) {
    double missing = limit.burst() - (double) probe.getRemainingTokens();
    double seconds = missing * limit.period().toSeconds() / limit.requests();
    return (long) Math.ceil(Math.max(0, seconds));
  }

  @Override
  public String toString() {
    return "Admission{caller="
        + callerLimit
        + ", sandbox="
        + sandboxLimit
        + ", tenant="
        + tenantLimit
        + (tenantLimits.isEmpty() ? "" : " (" + tenantLimits.size() + " own)")
        + ", budget="
        + tenantBudget
        + (tenantBudgets.isEmpty() ? "" : " (" + tenantBudgets.size() + " own)")
        + (buckets.isShared() ? ", shared" : "")
        + "}";
  }

  /** Builds an {@link Admission}; {@link #build()} checks everything at once. */
  public static final class Builder {
    private @Nullable RateLimit callerLimit;
    private RateLimit sandboxLimit = DEFAULT_SANDBOX_LIMIT;
    private @Nullable RateLimit tenantLimit;
    private final Map<String, RateLimit> tenantLimits = new LinkedHashMap<>();
    private @Nullable Long tenantBudget;
    private final Map<String, Long> tenantBudgets = new LinkedHashMap<>();
    private long maxBuckets = DEFAULT_MAX_BUCKETS;
    private @Nullable DataSource dataSource;
    private String table = DEFAULT_TABLE;
    private long localAllowance = DEFAULT_LOCAL_ALLOWANCE;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private Clock clock = Clock.systemUTC();
    private final List<Problem> problems = new ArrayList<>();

    private Builder() {}

    /**
     * The limit of every caller without a limit of its own (a machine key, a human by issuer and
     * subject); {@code null}, the default, for none.
     */
    public Builder callerLimit(@Nullable RateLimit limit) {
      this.callerLimit = limit;
      return this;
    }

    /** The limit of each sandbox key without one of its own; {@link #DEFAULT_SANDBOX_LIMIT}. */
    public Builder sandboxLimit(RateLimit limit) {
      this.sandboxLimit = requireNonNull(limit, "limit");
      return this;
    }

    /** The limit of every tenant without one of its own; {@code null}, the default, for none. */
    public Builder tenantLimit(@Nullable RateLimit limit) {
      this.tenantLimit = limit;
      return this;
    }

    /** The limit of one tenant, replacing the default. */
    public Builder tenantLimit(String tenant, RateLimit limit) {
      if (checkTenant(tenant)) {
        tenantLimits.put(tenant, requireNonNull(limit, "limit"));
      }
      return this;
    }

    /**
     * Every tenant's budget in cents per UTC day; {@code null}, the default, for none. Handlers
     * charge costs with {@link AuditAttributes#costCents}.
     */
    public Builder tenantBudgetCents(@Nullable Long cents) {
      if (cents != null && cents < 0) {
        problems.add(
            new Problem(
                "tenant budget",
                "is negative: " + cents,
                "give a budget of 0 or more cents per day, or none"));
      } else {
        this.tenantBudget = cents;
      }
      return this;
    }

    /** One tenant's budget in cents per UTC day, replacing the default. */
    public Builder tenantBudgetCents(String tenant, long cents) {
      if (cents < 0) {
        problems.add(
            new Problem(
                "tenant budget of " + Text.quote(tenant, 64),
                "is negative: " + cents,
                "give a budget of 0 or more cents per day"));
      } else if (checkTenant(tenant)) {
        tenantBudgets.put(tenant, cents);
      }
      return this;
    }

    /** Most buckets held in memory ({@value #DEFAULT_MAX_BUCKETS} by default). */
    public Builder maxBuckets(long maxBuckets) {
      this.maxBuckets = maxBuckets;
      return this;
    }

    /**
     * Shares the counts of a fleet in {@code table} ({@link #DEFAULT_TABLE} if {@code null}) of
     * {@code dataSource}, a PostgreSQL database; the table is created by the migration {@code
     * V4__planeguard_rate_limits.sql} shipped with planeguard.
     */
    public Builder jdbc(DataSource dataSource, @Nullable String table) {
      this.dataSource = requireNonNull(dataSource, "dataSource");
      this.table = table == null ? DEFAULT_TABLE : table;
      return this;
    }

    /**
     * Tokens a node may spend of a shared bucket before it writes them to the table ({@value
     * #DEFAULT_LOCAL_ALLOWANCE} by default; 0 writes every request). N nodes may together overshoot
     * a limit by at most N times this.
     */
    public Builder localAllowance(long tokens) {
      this.localAllowance = tokens;
      return this;
    }

    /** Longest a node waits before it writes what it spent (500 ms by default). */
    public Builder maxDelay(Duration delay) {
      this.maxDelay = requireNonNull(delay, "delay");
      return this;
    }

    /**
     * The clock of the counts kept in this process and of the budget's UTC day; {@link
     * Clock#systemUTC()}. Counts shared through a table always run on the system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    private boolean checkTenant(String tenant) {
      requireNonNull(tenant, "tenant");
      if (TENANT.matcher(tenant).matches()) {
        return true;
      }
      problems.add(
          new Problem(
              "tenant " + Text.quote(tenant, 64),
              "is not a tenant id",
              "use 1-128 of [A-Za-z0-9._:@-], as in the key records and tokens"));
      return false;
    }

    /**
     * Builds the admission.
     *
     * @throws ConfigurationException listing every problem
     */
    public Admission build() {
      List<Problem> all = new ArrayList<>(problems);
      if (maxBuckets < 1000 || maxBuckets > 100_000_000) {
        all.add(
            new Problem(
                "max buckets",
                "must be from 1000 to 100000000, not " + maxBuckets,
                "keep the default " + DEFAULT_MAX_BUCKETS + " unless you have more callers"));
      }
      if (localAllowance < 0 || localAllowance > 10_000) {
        all.add(
            new Problem(
                "local allowance",
                "must be from 0 to 10000, not " + localAllowance,
                "keep the default "
                    + DEFAULT_LOCAL_ALLOWANCE
                    + "; N nodes overshoot a limit by at most N times it"));
      }
      if (maxDelay.isNegative() || maxDelay.compareTo(Duration.ofSeconds(60)) > 0) {
        all.add(
            new Problem(
                "max delay",
                "must be from 0 to 60 seconds, not " + maxDelay,
                "keep the default of 500 ms"));
      }
      if (!all.isEmpty()) {
        throw new ConfigurationException("Invalid planeguard admission", all);
      }
      DataSource ds = dataSource;
      Buckets buckets =
          ds == null
              ? Buckets.local(maxBuckets, clock)
              : Buckets.shared(ds, table, maxBuckets, localAllowance, maxDelay);
      return new Admission(this, buckets);
    }
  }
}
