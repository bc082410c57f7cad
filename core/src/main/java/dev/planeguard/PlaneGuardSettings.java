package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyLifecycle;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Everything planeguard is configured with, in one framework-neutral value that every adapter
 * fills: the Spring Boot starter from {@code planeguard.*} properties, a servlet application from
 * its environment ({@link #fromEnvironment}), the command line from its flags. {@link
 * PlaneGuard#assemble} turns it into an {@link Enforcer}, running every startup check once and
 * listing every problem, so the same mistake gets the same message from every adapter.
 * <!-- example: PlaneGuardSettings.fromEnvironment -->
 *
 * <pre>{@code
 * PlaneGuard planeguard =
 *     PlaneGuard.assemble(PlaneGuardSettings.fromEnvironment(System.getenv()).build());
 * Enforcer enforcer = planeguard.enforcer();   // for the adapter: new PlaneGuardFilter(enforcer)
 * }</pre>
 *
 * <p>Values are kept as the adapter received them (strings, paths); each is parsed once, by the
 * assembly, with one parser per setting. Problems name the setting as the adapter's user knows it
 * ({@link Naming}).
 */
public final class PlaneGuardSettings {

  /** The default header of machine keys. */
  public static final String MACHINE_KEY_HEADER = "X-AOS-Key";

  /** The default header of sandbox keys. */
  public static final String SANDBOX_KEY_HEADER = "X-AOS-Customer-Key";

  /** The header naming the purpose of a call, for rules with {@code purposes=} (row 15a). */
  public static final String PURPOSE_HEADER = "X-AOS-Purpose";

  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");

  /** The default {@code Retry-After} of 503 answers. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * The settings, each with its name in each adapter: a Spring property, an environment variable, a
   * command-line flag.
   */
  public enum Setting {
    /** Where the policy file is. */
    POLICY_LOCATION("planeguard.policy-location", "PLANEGUARD_POLICY_LOCATION", "--policy"),
    /** The exact {@code iss} of a human issuer. */
    HUMAN_ISSUER("planeguard.human.issuer", "PLANEGUARD_HUMAN_ISSUER", "--issuer"),
    /** Where a human issuer's keys are: a path, a {@code file:} URI or an {@code http(s):} URL. */
    HUMAN_JWKS("planeguard.human.jwks-uri", "PLANEGUARD_HUMAN_JWKS_URI", "--jwks"),
    /** The issuer preset, {@code oidc} or {@code clerk}. */
    HUMAN_PRESET("planeguard.human.preset", "PLANEGUARD_HUMAN_PRESET", "--preset"),
    /** The audiences a human issuer's tokens must name one of. */
    HUMAN_AUDIENCES("planeguard.human.audiences", "PLANEGUARD_HUMAN_AUDIENCES", "--audience"),
    /** The authorized parties ({@code azp}) accepted. */
    HUMAN_AUTHORIZED_PARTIES(
        "planeguard.human.authorized-parties", "PLANEGUARD_HUMAN_AUTHORIZED_PARTIES", "--azp"),
    /** Accepted signature algorithms. */
    HUMAN_ALGORITHMS("planeguard.human.algorithms", "PLANEGUARD_HUMAN_ALGORITHMS", null),
    /** Accepted {@code typ} values. */
    HUMAN_ALLOWED_TYPES("planeguard.human.allowed-types", "PLANEGUARD_HUMAN_ALLOWED_TYPES", null),
    /** Claims every token must carry. */
    HUMAN_REQUIRED_CLAIMS(
        "planeguard.human.required-claims", "PLANEGUARD_HUMAN_REQUIRED_CLAIMS", null),
    /** Tolerated clock skew. */
    HUMAN_CLOCK_SKEW("planeguard.human.clock-skew", "PLANEGUARD_HUMAN_CLOCK_SKEW", null),
    /** Longest {@code exp - iat}. */
    HUMAN_MAX_LIFETIME("planeguard.human.max-lifetime", "PLANEGUARD_HUMAN_MAX_LIFETIME", null),
    /** The claim naming the caller's tenant. */
    HUMAN_TENANT_CLAIM("planeguard.human.tenant-claim", "PLANEGUARD_HUMAN_TENANT_CLAIM", null),
    /** The modes in which a human issuer's tokens are accepted (all when unset). */
    HUMAN_MODES("planeguard.human.modes", "PLANEGUARD_HUMAN_MODES", "--issuer-modes"),
    /**
     * Which cryptography verifies human-plane signatures, {@code jdk} (default) or {@code native}
     * (a contract-style variable: read from the environment by every adapter unless the adapter's
     * own setting gives a value).
     */
    HUMAN_CRYPTO("planeguard.human.crypto", "PLANEGUARD_HUMAN_CRYPTO", "--crypto"),
    /** The machine key file. */
    MACHINE_KEYS_FILE("planeguard.machine.keys-file", "PLANEGUARD_MACHINE_KEYS_FILE", "--keys"),
    /** The header of machine keys. */
    MACHINE_HEADER("planeguard.machine.header", "PLANEGUARD_MACHINE_HEADER", null),
    /** Machine keys from the JDBC key store. */
    MACHINE_JDBC("planeguard.machine.jdbc.enabled", "PLANEGUARD_MACHINE_JDBC_ENABLED", null),
    /** The JDBC key table. */
    MACHINE_JDBC_TABLE("planeguard.machine.jdbc.table", "PLANEGUARD_MACHINE_JDBC_TABLE", null),
    /** The JDBC store's revocation bound. */
    MACHINE_JDBC_REVOCATION_BOUND(
        "planeguard.machine.jdbc.revocation-bound",
        "PLANEGUARD_MACHINE_JDBC_REVOCATION_BOUND",
        null),
    /** The JDBC store's query timeout. */
    MACHINE_JDBC_QUERY_TIMEOUT(
        "planeguard.machine.jdbc.query-timeout", "PLANEGUARD_MACHINE_JDBC_QUERY_TIMEOUT", null),
    /** Whether the JDBC store listens for changes. */
    MACHINE_JDBC_LISTEN("planeguard.machine.jdbc.listen", "PLANEGUARD_MACHINE_JDBC_LISTEN", null),
    /** How old a key may grow before it is due for rotation (a startup warning). */
    KEYS_ROTATION_PERIOD(
        "planeguard.keys.rotation-period", "PLANEGUARD_KEYS_ROTATION_PERIOD", "--rotation-period"),
    /** The sandbox key file. */
    SANDBOX_KEYS_FILE("planeguard.sandbox.keys-file", "PLANEGUARD_SANDBOX_KEYS_FILE", "--sandbox"),
    /** The header of sandbox keys. */
    SANDBOX_HEADER("planeguard.sandbox.header", "PLANEGUARD_SANDBOX_HEADER", null),
    /** The tenant header, beside the contract's own variable. */
    TENANT_HEADER("planeguard.tenant-header", "PLANEGUARD_TENANT_HEADER", "--tenant-header"),
    /** {@code Retry-After} of 503 answers. */
    RETRY_AFTER("planeguard.retry-after", "PLANEGUARD_RETRY_AFTER", null),
    /** The audit ledger's file. */
    AUDIT_LEDGER("planeguard.audit.ledger", "PLANEGUARD_AUDIT_LEDGER", "--ledger"),
    /** How often the audit ledger writes. */
    AUDIT_FLUSH_INTERVAL(
        "planeguard.audit.flush-interval", "PLANEGUARD_AUDIT_FLUSH_INTERVAL", null),
    /** How long the audit ledger's writes may fail before requests are refused. */
    AUDIT_FAILURE_BOUND("planeguard.audit.failure-bound", "PLANEGUARD_AUDIT_FAILURE_BOUND", null),
    /** Most entries the audit ledger queues. */
    AUDIT_QUEUE_CAPACITY(
        "planeguard.audit.queue-capacity", "PLANEGUARD_AUDIT_QUEUE_CAPACITY", null),
    /** The size at which the audit ledger's file is rotated. */
    AUDIT_ROTATE_BYTES("planeguard.audit.rotate-bytes", "PLANEGUARD_AUDIT_ROTATE_BYTES", null),
    /** Whether the audit ledger's file is rotated each day. */
    AUDIT_ROTATE_DAILY("planeguard.audit.rotate-daily", "PLANEGUARD_AUDIT_ROTATE_DAILY", null),
    /** This process's name in audit ledger entries; the name of its chain in a ledger table. */
    AUDIT_NODE("planeguard.audit.node", "PLANEGUARD_AUDIT_NODE", null),
    /** The audit ledger in a table of the application's database. */
    AUDIT_JDBC("planeguard.audit.jdbc.enabled", "PLANEGUARD_AUDIT_JDBC_ENABLED", null),
    /** The audit ledger's table. */
    AUDIT_JDBC_TABLE("planeguard.audit.jdbc.table", "PLANEGUARD_AUDIT_JDBC_TABLE", null),
    /** Whether the first and last use of each key is recorded in its store. */
    RECORD_KEY_USAGE("planeguard.record-key-usage", "PLANEGUARD_RECORD_KEY_USAGE", null),
    /** Whether callers and tenants get the default rate limits (a contract variable). */
    RATE_LIMIT_ENABLED("planeguard.rate-limit.enabled", "RATE_LIMIT_ENABLED", null),
    /** The default limit of a caller, requests per minute (a contract variable). */
    RATE_LIMIT_DEFAULT_RPM("planeguard.rate-limit.default-rpm", "RATE_LIMIT_DEFAULT_RPM", null),
    /** The burst of the default limit, requests at once (a contract variable). */
    RATE_LIMIT_BURST_RPM("planeguard.rate-limit.burst-rpm", "RATE_LIMIT_BURST_RPM", null),
    /** The limit of each sandbox key, requests per minute (a contract variable). */
    SANDBOX_RATE_LIMIT(
        "planeguard.rate-limit.sandbox-per-minute", "SANDBOX_RATE_LIMIT_PER_MINUTE", null),
    /** The default limit of a tenant (a contract variable). */
    TENANT_RATE_LIMIT("planeguard.rate-limit.tenant", "DEFAULT_TENANT_RATE_LIMIT", null),
    /** The default budget of a tenant, cents per UTC day (a contract variable). */
    TENANT_BUDGET("planeguard.rate-limit.tenant-budget-cents", "DEFAULT_TENANT_BUDGET_CENTS", null),
    /** The counts shared by a fleet in a table of the application's database. */
    RATE_LIMIT_JDBC(
        "planeguard.rate-limit.jdbc.enabled", "PLANEGUARD_RATE_LIMIT_JDBC_ENABLED", null),
    /** The table of shared counts. */
    RATE_LIMIT_JDBC_TABLE(
        "planeguard.rate-limit.jdbc.table", "PLANEGUARD_RATE_LIMIT_JDBC_TABLE", null),
    /** Tokens a node spends of a shared count before it writes them. */
    RATE_LIMIT_LOCAL_ALLOWANCE(
        "planeguard.rate-limit.jdbc.local-allowance",
        "PLANEGUARD_RATE_LIMIT_JDBC_LOCAL_ALLOWANCE",
        null);

    /**
     * The contract variables of rate limits and budgets, read from the environment by every adapter
     * unless the adapter's own setting gives a value.
     */
    public static final List<Setting> ADMISSION_VARIABLES =
        List.of(
            RATE_LIMIT_ENABLED,
            RATE_LIMIT_DEFAULT_RPM,
            RATE_LIMIT_BURST_RPM,
            SANDBOX_RATE_LIMIT,
            TENANT_RATE_LIMIT,
            TENANT_BUDGET);

    private final String property;
    private final String variable;
    private final @Nullable String flag;

    Setting(String property, String variable, @Nullable String flag) {
      this.property = property;
      this.variable = variable;
      this.flag = flag;
    }

    /** The Spring Boot property, {@code planeguard.human.jwks-uri}. */
    public String property() {
      return property;
    }

    /** The environment variable, {@code PLANEGUARD_HUMAN_JWKS_URI}. */
    public String variable() {
      return variable;
    }
  }

  /** How problems name a setting: as the adapter's user sets it. */
  public enum Naming {
    /** Spring Boot properties: {@code planeguard.human.jwks-uri}. */
    PROPERTIES,
    /** Environment variables: {@code PLANEGUARD_HUMAN_JWKS_URI}. */
    ENVIRONMENT,
    /** Command-line flags: {@code --jwks}. */
    COMMAND_LINE;

    /** The name of {@code setting}. */
    public String name(Setting setting) {
      return switch (this) {
        case PROPERTIES -> setting.property;
        case ENVIRONMENT -> setting.variable;
        case COMMAND_LINE -> setting.flag != null ? setting.flag : setting.property;
      };
    }

    /** The name of {@code setting} of the additional issuer at {@code index}. */
    String issuerName(int index, Setting setting) {
      if (index < 0) {
        return name(setting);
      }
      return switch (this) {
        case PROPERTIES ->
            setting.property.replace(
                "planeguard.human.", "planeguard.human.additional-issuers[" + index + "].");
        case ENVIRONMENT ->
            setting.variable.replace(
                "PLANEGUARD_HUMAN_", "PLANEGUARD_HUMAN_ADDITIONALISSUERS_" + index + "_");
        case COMMAND_LINE -> name(setting) + " (issuer " + (index + 2) + ")";
      };
    }
  }

  /** The issuer presets. */
  public enum Preset {
    /** OpenID Connect: keys by discovery unless a JWKS location is given. */
    OIDC,
    /** Clerk: keys at {@code <issuer>/.well-known/jwks.json}, authorized parties required. */
    CLERK
  }

  /**
   * One human issuer, as configured. Only {@link #issuer} is required; empty lists and {@code null}
   * values mean the defaults of {@link HumanIssuer}.
   *
   * @param issuer the exact {@code iss}
   * @param jwks where the keys are: a path, a {@code file:} URI or an {@code http(s):} URL; {@code
   *     null} for discovery (OIDC) or the Clerk preset's own location
   * @param preset the preset
   * @param audiences accepted {@code aud} values
   * @param authorizedParties accepted {@code azp} values
   * @param algorithms accepted algorithms
   * @param allowedTypes accepted {@code typ} values
   * @param requiredClaims claims every token must carry
   * @param clockSkew tolerated skew
   * @param maxLifetime longest {@code exp - iat}
   * @param tenantClaim the claim naming the tenant
   * @param modes the modes in which its tokens are accepted, as given ({@code test}, {@code
   *     local}); empty for all
   */
  public record Issuer(
      @Nullable String issuer,
      @Nullable String jwks,
      Preset preset,
      List<String> audiences,
      List<String> authorizedParties,
      List<String> algorithms,
      List<String> allowedTypes,
      List<String> requiredClaims,
      @Nullable Duration clockSkew,
      @Nullable Duration maxLifetime,
      @Nullable String tenantClaim,
      List<String> modes) {

    /** Copies the lists. */
    public Issuer {
      requireNonNull(preset, "preset");
      modes = List.copyOf(modes);
      audiences = List.copyOf(audiences);
      authorizedParties = List.copyOf(authorizedParties);
      algorithms = List.copyOf(algorithms);
      allowedTypes = List.copyOf(allowedTypes);
      requiredClaims = List.copyOf(requiredClaims);
    }

    /** An issuer accepted in every mode. */
    public Issuer(
        @Nullable String issuer,
        @Nullable String jwks,
        Preset preset,
        List<String> audiences,
        List<String> authorizedParties,
        List<String> algorithms,
        List<String> allowedTypes,
        List<String> requiredClaims,
        @Nullable Duration clockSkew,
        @Nullable Duration maxLifetime,
        @Nullable String tenantClaim) {
      this(
          issuer,
          jwks,
          preset,
          audiences,
          authorizedParties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          List.of());
    }

    /** An OIDC issuer with nothing else set. */
    public static Issuer of(String issuer) {
      return new Issuer(
          issuer,
          null,
          Preset.OIDC,
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          List.of(),
          null,
          null,
          null);
    }

    /** This issuer with its keys at {@code jwks}. */
    public Issuer withJwks(@Nullable String jwks) {
      return new Issuer(
          issuer,
          jwks,
          preset,
          audiences,
          authorizedParties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          modes);
    }

    /** This issuer with {@code preset}. */
    public Issuer withPreset(Preset preset) {
      return new Issuer(
          issuer,
          jwks,
          preset,
          audiences,
          authorizedParties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          modes);
    }

    /** This issuer accepting {@code audiences}. */
    public Issuer withAudiences(List<String> audiences) {
      return new Issuer(
          issuer,
          jwks,
          preset,
          audiences,
          authorizedParties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          modes);
    }

    /**
     * This issuer limited to {@code modes} ({@code test}, {@code local}, as given; parsed and
     * checked by the assembly); empty for every mode.
     */
    public Issuer withModes(List<String> modes) {
      return new Issuer(
          issuer,
          jwks,
          preset,
          audiences,
          authorizedParties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          modes);
    }

    /** This issuer accepting {@code parties} as {@code azp}. */
    public Issuer withAuthorizedParties(List<String> parties) {
      return new Issuer(
          issuer,
          jwks,
          preset,
          audiences,
          parties,
          algorithms,
          allowedTypes,
          requiredClaims,
          clockSkew,
          maxLifetime,
          tenantClaim,
          modes);
    }
  }

  /**
   * Machine keys from the JDBC key store in the application's database.
   *
   * @param dataSource the application's data source, or {@code null} if the adapter found none (or
   *     several)
   * @param table the key table, {@code null} for {@link JdbcKeyStore#DEFAULT_TABLE}
   * @param revocationBound the revocation bound, {@code null} for the default
   * @param queryTimeout the query timeout, {@code null} for the default
   * @param listen whether to listen for changes (PostgreSQL {@code LISTEN/NOTIFY})
   */
  public record Jdbc(
      @Nullable DataSource dataSource,
      @Nullable String table,
      @Nullable Duration revocationBound,
      @Nullable Duration queryTimeout,
      boolean listen) {}

  /**
   * The audit ledger, in a file ({@code ledger}) or in a table ({@code jdbc}): exactly one of the
   * two, or {@link PlaneGuard#assemble} reports a problem. {@code null} values of the others mean
   * the defaults of {@link AuditLedger.Builder}.
   *
   * @param ledger the ledger's active file, or {@code null} for a ledger in a table
   * @param flushInterval how often queued entries are written
   * @param failureBound how long writes may fail before requests are refused
   * @param queueCapacity most entries queued
   * @param rotateBytes the file size that starts a new file (0: never by size); a file only
   * @param rotateDaily whether each UTC day starts a new file; a file only
   * @param node this process's name in each entry; required for a table, where it names the
   *     process's chain
   * @param jdbc the ledger in a table of the application's database, or {@code null} for a file
   */
  public record Audit(
      @Nullable Path ledger,
      @Nullable Duration flushInterval,
      @Nullable Duration failureBound,
      @Nullable Integer queueCapacity,
      @Nullable Long rotateBytes,
      @Nullable Boolean rotateDaily,
      @Nullable String node,
      @Nullable AuditJdbc jdbc) {

    /** A ledger in the file {@code ledger}. */
    public Audit(
        Path ledger,
        @Nullable Duration flushInterval,
        @Nullable Duration failureBound,
        @Nullable Integer queueCapacity,
        @Nullable Long rotateBytes,
        @Nullable Boolean rotateDaily,
        @Nullable String node) {
      this(
          requireNonNull(ledger, "ledger"),
          flushInterval,
          failureBound,
          queueCapacity,
          rotateBytes,
          rotateDaily,
          node,
          null);
    }

    /** A ledger at {@code ledger} with every other setting at its default. */
    public static Audit of(Path ledger) {
      return new Audit(ledger, null, null, null, null, null, null);
    }

    /**
     * A ledger in the table {@value AuditLedger#DEFAULT_TABLE} of {@code dataSource}, written as
     * the chain of {@code node}, with every other setting at its default.
     */
    public static Audit of(DataSource dataSource, String node) {
      return new Audit(
          null,
          null,
          null,
          null,
          null,
          null,
          requireNonNull(node, "node"),
          new AuditJdbc(requireNonNull(dataSource, "dataSource"), null));
    }
  }

  /**
   * Rate limits, budgets and uses ({@link Admission}), as the user wrote them: each value is
   * checked by {@link PlaneGuard#assemble}, so that every adapter reports the same mistake the same
   * way. A {@code null} value falls back to its contract variable in the environment ({@code
   * RATE_LIMIT_ENABLED}, {@code RATE_LIMIT_DEFAULT_RPM}, {@code RATE_LIMIT_BURST_RPM}, {@code
   * SANDBOX_RATE_LIMIT_PER_MINUTE}, {@code DEFAULT_TENANT_RATE_LIMIT}, {@code
   * DEFAULT_TENANT_BUDGET_CENTS}), then to the default.
   *
   * @param enabled {@code true} or {@code false}: whether callers and tenants get the default
   *     limits (keys' own limits and uses, sandbox limits and budgets apply regardless); off by
   *     default
   * @param defaultRpm requests per minute of each caller without a limit of its own (default 600)
   * @param burstRpm the most requests at once of such a caller (default: {@code defaultRpm})
   * @param sandboxPerMinute requests per minute of each sandbox key (default 60)
   * @param tenantLimit the limit of each tenant: requests per minute, or {@code N/PERIOD} such as
   *     {@code 6000/1m}; none by default
   * @param tenantBudgetCents each tenant's budget in cents per UTC day; none by default
   * @param tenantLimits limits of named tenants, replacing {@code tenantLimit}
   * @param tenantBudgets budgets of named tenants, replacing {@code tenantBudgetCents}
   * @param jdbc the counts shared by a fleet in a table, or {@code null} to count in this process
   */
  public record RateLimits(
      @Nullable String enabled,
      @Nullable String defaultRpm,
      @Nullable String burstRpm,
      @Nullable String sandboxPerMinute,
      @Nullable String tenantLimit,
      @Nullable String tenantBudgetCents,
      Map<String, String> tenantLimits,
      Map<String, String> tenantBudgets,
      @Nullable RateLimitsJdbc jdbc) {

    /** Copies the maps. */
    public RateLimits {
      tenantLimits = Map.copyOf(tenantLimits);
      tenantBudgets = Map.copyOf(tenantBudgets);
    }

    /** Everything from the contract variables and defaults. */
    public static final RateLimits FROM_ENVIRONMENT =
        new RateLimits(null, null, null, null, null, null, Map.of(), Map.of(), null);
  }

  /**
   * Rate-limit counts shared by a fleet in a table of the application's PostgreSQL database.
   *
   * @param dataSource the application's data source, or {@code null} if the adapter found none (or
   *     several)
   * @param table the table, {@code null} for {@link Admission#DEFAULT_TABLE}
   * @param localAllowance tokens a node spends of a count before it writes them, {@code null} for
   *     {@link Admission#DEFAULT_LOCAL_ALLOWANCE}
   */
  public record RateLimitsJdbc(
      @Nullable DataSource dataSource, @Nullable String table, @Nullable Long localAllowance) {}

  /**
   * The audit ledger in a table of the application's database ({@link AuditLedger#jdbc}).
   *
   * @param dataSource the application's data source, or {@code null} if the adapter found none (or
   *     several)
   * @param table the table, {@code null} for {@link AuditLedger#DEFAULT_TABLE}
   */
  public record AuditJdbc(@Nullable DataSource dataSource, @Nullable String table) {}

  final Map<String, String> environment;
  final Naming naming;
  final @Nullable Contract contract;
  final @Nullable Policy policy;
  final @Nullable String policyLocation;
  final @Nullable String policyText;
  final boolean policyOptional;
  final List<RouteCoverage.Handler> handlers;
  final List<Policy.Declaration> extraDeclarations;
  final List<String> unmirrored;
  final List<Issuer> issuers;
  final @Nullable TokenVerifier tokenVerifier;
  final @Nullable String humanCrypto;
  final @Nullable Path machineKeysFile;
  final @Nullable Jdbc machineJdbc;
  final @Nullable KeyStore machineKeyStore;
  final @Nullable KeyVerifier machineKeyVerifier;
  final Duration keysRotationPeriod;
  final @Nullable Path sandboxKeysFile;
  final String machineKeyHeader;
  final String sandboxKeyHeader;
  final @Nullable String tenantHeader;
  final Duration retryAfter;
  final @Nullable Audit audit;
  final List<Problem> invalid;
  final boolean recordKeyUsage;
  final RateLimits rateLimits;
  final List<Consumer<Enforcer.Builder>> customizers;

  private PlaneGuardSettings(Builder b) {
    this.environment = Map.copyOf(b.environment);
    this.naming = b.naming;
    this.contract = b.contract;
    this.policy = b.policy;
    this.policyLocation = b.policyLocation;
    this.policyText = b.policyText;
    this.policyOptional = b.policyOptional;
    this.handlers = List.copyOf(b.handlers);
    this.extraDeclarations = List.copyOf(b.extraDeclarations);
    this.unmirrored = List.copyOf(b.unmirrored);
    this.issuers = List.copyOf(b.issuers);
    this.tokenVerifier = b.tokenVerifier;
    this.humanCrypto = b.humanCrypto;
    this.machineKeysFile = b.machineKeysFile;
    this.machineJdbc = b.machineJdbc;
    this.machineKeyStore = b.machineKeyStore;
    this.machineKeyVerifier = b.machineKeyVerifier;
    this.keysRotationPeriod = b.keysRotationPeriod;
    this.sandboxKeysFile = b.sandboxKeysFile;
    this.machineKeyHeader = b.machineKeyHeader;
    this.sandboxKeyHeader = b.sandboxKeyHeader;
    this.tenantHeader = b.tenantHeader;
    this.retryAfter = b.retryAfter;
    this.audit = b.audit;
    this.invalid = List.copyOf(b.invalid);
    this.recordKeyUsage = b.recordKeyUsage;
    this.rateLimits = b.rateLimits;
    this.customizers = List.copyOf(b.customizers);
  }

  /** A builder; {@link Builder#environment} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings from environment variables, as a plain servlet application or a container would give
   * them: the contract's variables, {@code PLANEGUARD_POLICY_LOCATION} (a file path; required),
   * {@code PLANEGUARD_HUMAN_ISSUER} with {@code PLANEGUARD_HUMAN_JWKS_URI}, {@code
   * PLANEGUARD_HUMAN_PRESET}, {@code PLANEGUARD_HUMAN_AUDIENCES} and {@code
   * PLANEGUARD_HUMAN_AUTHORIZED_PARTIES} and {@code PLANEGUARD_HUMAN_MODES} (comma-separated),
   * {@code PLANEGUARD_MACHINE_KEYS_FILE}, {@code PLANEGUARD_SANDBOX_KEYS_FILE}, {@code
   * PLANEGUARD_MACHINE_HEADER}, {@code PLANEGUARD_SANDBOX_HEADER}, {@code
   * PLANEGUARD_TENANT_HEADER}, {@code PLANEGUARD_RECORD_KEY_USAGE} ({@code true} or {@code false}),
   * {@code PLANEGUARD_KEYS_ROTATION_PERIOD} (whole days or hours, {@code 90d}), {@code
   * PLANEGUARD_HUMAN_CRYPTO} ({@code jdk} or {@code native}, read by the assembly). Problems name
   * these variables. The policy file is read by {@link PlaneGuard#assemble}.
   */
  public static Builder fromEnvironment(Map<String, String> env) {
    Builder b = builder().environment(env).naming(Naming.ENVIRONMENT);
    String location = blankToNull(env.get(Setting.POLICY_LOCATION.variable()));
    b.policyLocation(location == null ? "" : location, null, false);
    String issuer = blankToNull(env.get(Setting.HUMAN_ISSUER.variable()));
    if (issuer != null) {
      String preset = blankToNull(env.get(Setting.HUMAN_PRESET.variable()));
      b.issuer(
          Issuer.of(issuer)
              .withJwks(blankToNull(env.get(Setting.HUMAN_JWKS.variable())))
              .withPreset(
                  preset != null && preset.strip().equalsIgnoreCase("clerk")
                      ? Preset.CLERK
                      : Preset.OIDC)
              .withAudiences(list(env.get(Setting.HUMAN_AUDIENCES.variable())))
              .withAuthorizedParties(list(env.get(Setting.HUMAN_AUTHORIZED_PARTIES.variable())))
              .withModes(list(env.get(Setting.HUMAN_MODES.variable()))));
    }
    String machine = blankToNull(env.get(Setting.MACHINE_KEYS_FILE.variable()));
    if (machine != null) {
      b.machineKeysFile(Path.of(machine));
    }
    Duration rotation = rotationPeriod(b, env);
    if (rotation != null) {
      b.keysRotationPeriod(rotation);
    }
    String sandbox = blankToNull(env.get(Setting.SANDBOX_KEYS_FILE.variable()));
    if (sandbox != null) {
      b.sandboxKeysFile(Path.of(sandbox));
    }
    String machineHeader = blankToNull(env.get(Setting.MACHINE_HEADER.variable()));
    if (machineHeader != null) {
      b.machineKeyHeader(machineHeader);
    }
    String sandboxHeader = blankToNull(env.get(Setting.SANDBOX_HEADER.variable()));
    if (sandboxHeader != null) {
      b.sandboxKeyHeader(sandboxHeader);
    }
    String tenant = blankToNull(env.get(Setting.TENANT_HEADER.variable()));
    if (tenant != null) {
      b.tenantHeader(tenant);
    }
    String ledger = blankToNull(env.get(Setting.AUDIT_LEDGER.variable()));
    if (ledger != null) {
      Long capacity = number(b, env, Setting.AUDIT_QUEUE_CAPACITY, Integer.MAX_VALUE);
      b.audit(
          new Audit(
              Path.of(ledger.strip()),
              duration(b, env, Setting.AUDIT_FLUSH_INTERVAL),
              duration(b, env, Setting.AUDIT_FAILURE_BOUND),
              capacity == null ? null : capacity.intValue(),
              number(b, env, Setting.AUDIT_ROTATE_BYTES, Long.MAX_VALUE),
              bool(b, env, Setting.AUDIT_ROTATE_DAILY, "each UTC day starts a new file by default"),
              blankToNull(env.get(Setting.AUDIT_NODE.variable()))));
    }
    Boolean sharedCounts =
        bool(b, env, Setting.RATE_LIMIT_JDBC, "rate-limit counts are kept in this process");
    if (Boolean.TRUE.equals(sharedCounts)) {
      b.rateLimits(
          new RateLimits(
              null,
              null,
              null,
              null,
              null,
              null,
              Map.of(),
              Map.of(),
              new RateLimitsJdbc(
                  null,
                  blankToNull(env.get(Setting.RATE_LIMIT_JDBC_TABLE.variable())),
                  number(b, env, Setting.RATE_LIMIT_LOCAL_ALLOWANCE, 10_000))));
    }
    Boolean record = bool(b, env, Setting.RECORD_KEY_USAGE, "key usage is recorded by default");
    if (record != null) {
      b.recordKeyUsage(record);
    }
    return b;
  }

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  private static final Pattern PERIOD = Pattern.compile("(\\d{1,5})(d|h)");

  /** {@code PLANEGUARD_KEYS_ROTATION_PERIOD}: whole days or hours, such as {@code 90d}. */
  private static @Nullable Duration rotationPeriod(Builder b, Map<String, String> env) {
    Setting setting = Setting.KEYS_ROTATION_PERIOD;
    String v = blankToNull(env.get(setting.variable()));
    if (v == null) {
      return null;
    }
    var m = PERIOD.matcher(v.strip());
    if (!m.matches()) {
      b.invalid(
          new Problem(
              setting.variable(),
              Problem.quote(v, 32) + " is not a rotation period",
              "write a whole number of days or hours, such as 90d or 720h"));
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("d") ? Duration.ofDays(n) : Duration.ofHours(n);
  }

  /** A duration variable such as {@code 200ms}, {@code 2s}, {@code 1m}, {@code 1h}. */
  private static @Nullable Duration duration(Builder b, Map<String, String> env, Setting setting) {
    String v = blankToNull(env.get(setting.variable()));
    if (v == null) {
      return null;
    }
    var m = DURATION.matcher(v.strip());
    if (!m.matches()) {
      b.invalid(
          new Problem(
              setting.variable(),
              Problem.quote(v, 32) + " is not a duration",
              "write a whole number with ms, s, m or h, such as 200ms or 2s"));
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  private static @Nullable Long number(
      Builder b, Map<String, String> env, Setting setting, long max) {
    String v = blankToNull(env.get(setting.variable()));
    if (v == null) {
      return null;
    }
    String t = v.strip();
    if (!t.matches("\\d{1,19}")) {
      b.invalid(
          new Problem(
              setting.variable(),
              Problem.quote(v, 32) + " is not a whole number",
              "write digits only, such as 100000"));
      return null;
    }
    try {
      long n = Long.parseLong(t);
      if (n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // too large, reported below
    }
    b.invalid(
        new Problem(
            setting.variable(), Problem.quote(v, 32) + " is too large", "use at most " + max));
    return null;
  }

  /** A true-or-false variable; anything else is a problem whose fix says what unset means. */
  private static @Nullable Boolean bool(
      Builder b, Map<String, String> env, Setting setting, String whenUnset) {
    String v = blankToNull(env.get(setting.variable()));
    if (v == null) {
      return null;
    }
    String t = v.strip().toLowerCase(Locale.ROOT);
    if (t.equals("true") || t.equals("false")) {
      return Boolean.valueOf(t);
    }
    b.invalid(
        new Problem(
            setting.variable(),
            "must be true or false, not " + Problem.quote(v, 32),
            "set " + setting.variable() + " to true or false, or unset it (" + whenUnset + ")"));
    return null;
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static List<String> list(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : value.split(",")) {
      if (!s.isBlank()) {
        out.add(s.strip());
      }
    }
    return out;
  }

  /**
   * Whether {@code name} can name an HTTP header here: an RFC 9110 token of 1 to 64 characters.
   * Every header planeguard is configured with is checked with this.
   */
  public static boolean isHeaderName(String name) {
    return HEADER_NAME.matcher(name).matches();
  }

  /** How problems name settings. */
  public Naming naming() {
    return naming;
  }

  /** The environment the contract and tier checks read. */
  public Map<String, String> environment() {
    return environment;
  }

  @Override
  public String toString() {
    return "PlaneGuardSettings{naming="
        + naming.name().toLowerCase(Locale.ROOT)
        + ", issuers="
        + issuers.size()
        + ", handlers="
        + handlers.size()
        + "}";
  }

  /** Builds {@link PlaneGuardSettings}. Not thread-safe. */
  public static final class Builder {
    private Map<String, String> environment = Map.of();
    private Naming naming = Naming.PROPERTIES;
    private @Nullable Contract contract;
    private @Nullable Policy policy;
    private @Nullable String policyLocation;
    private @Nullable String policyText;
    private boolean policyOptional;
    private final List<RouteCoverage.Handler> handlers = new ArrayList<>();
    private final List<Policy.Declaration> extraDeclarations = new ArrayList<>();
    private final List<String> unmirrored = new ArrayList<>();
    private final List<Issuer> issuers = new ArrayList<>();
    private @Nullable TokenVerifier tokenVerifier;
    private @Nullable String humanCrypto;
    private @Nullable Path machineKeysFile;
    private @Nullable Jdbc machineJdbc;
    private @Nullable KeyStore machineKeyStore;
    private @Nullable KeyVerifier machineKeyVerifier;
    private Duration keysRotationPeriod = KeyLifecycle.DEFAULT_ROTATION_PERIOD;
    private @Nullable Path sandboxKeysFile;
    private String machineKeyHeader = MACHINE_KEY_HEADER;
    private String sandboxKeyHeader = SANDBOX_KEY_HEADER;
    private @Nullable String tenantHeader;
    private Duration retryAfter = DEFAULT_RETRY_AFTER;
    private @Nullable Audit audit;
    private final List<Problem> invalid = new ArrayList<>();
    private boolean recordKeyUsage = true;
    private RateLimits rateLimits = RateLimits.FROM_ENVIRONMENT;
    private final List<Consumer<Enforcer.Builder>> customizers = new ArrayList<>();

    private Builder() {}

    /**
     * Rate limits, budgets and uses; by default everything comes from the contract variables of the
     * environment ({@link RateLimits#FROM_ENVIRONMENT}).
     */
    public Builder rateLimits(RateLimits rateLimits) {
      this.rateLimits = requireNonNull(rateLimits, "rateLimits");
      return this;
    }

    /**
     * The audit ledger: every decision and key event, hash-chained, in a file or a table. Without
     * it, decisions go to the audit sink only.
     */
    public Builder audit(@Nullable Audit audit) {
      this.audit = audit;
      return this;
    }

    /** A setting the adapter could not read, reported by {@link PlaneGuard#assemble}. */
    Builder invalid(Problem problem) {
      this.invalid.add(requireNonNull(problem, "problem"));
      return this;
    }

    /**
     * The process environment, for the contract ({@code AOS_MODE}, {@code DB_AUTHORITY}, ..., the
     * bypass flags, {@code TENANT_HEADER}) and the tier check ({@code PLANEGUARD_TIER}).
     */
    public Builder environment(Map<String, String> env) {
      this.environment = requireNonNull(env, "env");
      return this;
    }

    /** How problems name settings; {@link Naming#PROPERTIES} by default. */
    public Builder naming(Naming naming) {
      this.naming = requireNonNull(naming, "naming");
      return this;
    }

    /** A contract the application built itself, instead of parsing the environment. */
    public Builder contract(Contract contract) {
      this.contract = requireNonNull(contract, "contract");
      return this;
    }

    /** A policy the application built itself, instead of a policy file. */
    public Builder policy(Policy policy) {
      this.policy = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The policy file as the adapter found it.
     *
     * @param location where it was looked for, as the user wrote it
     * @param text its content, or {@code null} if there is nothing at the location (the assembly
     *     then reads {@code location} as a file path)
     * @param optional whether handler declarations alone may make the policy when there is no file
     *     (the adapter's default location, not one the user set)
     */
    public Builder policyLocation(String location, @Nullable String text, boolean optional) {
      this.policyLocation = requireNonNull(location, "location");
      this.policyText = text;
      this.policyOptional = optional;
      return this;
    }

    /** The framework's handlers, for annotations, coverage and confirmation at dispatch. */
    public Builder handlers(List<RouteCoverage.Handler> handlers) {
      this.handlers.addAll(handlers);
      return this;
    }

    /** Rules the adapter declares itself (its own endpoints), merged like annotations. */
    public Builder declaration(Policy.Declaration declaration) {
      this.extraDeclarations.add(requireNonNull(declaration, "declaration"));
      return this;
    }

    /**
     * A framework setting with which requests would be dispatched otherwise than decided, one line
     * (refused in preprod and prod, a warning elsewhere).
     */
    public Builder unmirrored(String setting) {
      this.unmirrored.add(requireNonNull(setting, "setting"));
      return this;
    }

    /** A human issuer; the first is the main one, the others additional. */
    public Builder issuer(Issuer issuer) {
      this.issuers.add(requireNonNull(issuer, "issuer"));
      return this;
    }

    /** A token verifier the application built itself, instead of {@link #issuer}s. */
    public Builder tokenVerifier(TokenVerifier verifier) {
      this.tokenVerifier = requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * Which cryptography verifies human-plane signatures, as the adapter received it: {@code jdk}
     * (the default) or {@code native} (the {@code planeguard-crypto-native} module; see {@link
     * HumanCrypto}). Unset ({@code null}), the environment's {@code PLANEGUARD_HUMAN_CRYPTO}
     * decides. Parsed and checked by {@link PlaneGuard#assemble}.
     */
    public Builder humanCrypto(@Nullable String value) {
      this.humanCrypto = value;
      return this;
    }

    /** {@link #humanCrypto(String)} with a parsed value. */
    public Builder humanCrypto(HumanCrypto crypto) {
      return humanCrypto(crypto.toString());
    }

    /** The machine key file (reloaded while it changes). */
    public Builder machineKeysFile(Path file) {
      this.machineKeysFile = requireNonNull(file, "file");
      return this;
    }

    /** Machine keys from the JDBC key store. */
    public Builder machineJdbc(Jdbc jdbc) {
      this.machineJdbc = requireNonNull(jdbc, "jdbc");
      return this;
    }

    /** A machine key store the application built itself. */
    public Builder machineKeyStore(KeyStore store) {
      this.machineKeyStore = requireNonNull(store, "store");
      return this;
    }

    /** A machine key verifier the application built itself, instead of a key store. */
    public Builder machineKeyVerifier(KeyVerifier verifier) {
      this.machineKeyVerifier = requireNonNull(verifier, "verifier");
      return this;
    }

    /**
     * How old a key may grow before it is due for rotation, {@link
     * KeyLifecycle#DEFAULT_ROTATION_PERIOD} (90 days) by default: at startup, keys older than this
     * are logged as a warning, by id. They keep working. Must be positive ({@link
     * PlaneGuard#assemble} reports it otherwise).
     */
    public Builder keysRotationPeriod(Duration period) {
      this.keysRotationPeriod = requireNonNull(period, "period");
      return this;
    }

    /** The sandbox key file; refused outside local and test. */
    public Builder sandboxKeysFile(Path file) {
      this.sandboxKeysFile = requireNonNull(file, "file");
      return this;
    }

    /** The header of machine keys, {@value PlaneGuardSettings#MACHINE_KEY_HEADER} by default. */
    public Builder machineKeyHeader(String name) {
      this.machineKeyHeader = requireNonNull(name, "name");
      return this;
    }

    /** The header of sandbox keys, {@value PlaneGuardSettings#SANDBOX_KEY_HEADER} by default. */
    public Builder sandboxKeyHeader(String name) {
      this.sandboxKeyHeader = requireNonNull(name, "name");
      return this;
    }

    /**
     * The tenant header, if the adapter has a setting for it besides the contract's {@code
     * TENANT_HEADER} variable; the two must agree.
     */
    public Builder tenantHeader(String name) {
      this.tenantHeader = requireNonNull(name, "name");
      return this;
    }

    /** {@code Retry-After} of 503 answers. */
    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = requireNonNull(retryAfter, "retryAfter");
      return this;
    }

    /**
     * Whether the first and last use of each key is recorded in its key store, where the store can
     * record it ({@link dev.planeguard.keys.KeyStore.UsageRecording}); on by default. Uses are
     * noted in memory and written by a background thread at most once a minute per key; a store
     * that cannot take them is logged and never changes a decision. Turn it off where the key store
     * must not be written by the application (a read-only database role).
     */
    public Builder recordKeyUsage(boolean record) {
      this.recordKeyUsage = record;
      return this;
    }

    /** Adjusts the {@link Enforcer.Builder} after the settings (audit sink, clock, ...). */
    public Builder customizer(Consumer<Enforcer.Builder> customizer) {
      this.customizers.add(requireNonNull(customizer, "customizer"));
      return this;
    }

    /** The settings. Checks nothing: {@link PlaneGuard#assemble} checks everything at once. */
    public PlaneGuardSettings build() {
      return new PlaneGuardSettings(this);
    }
  }
}
