package dev.planeguard.spring;

import dev.planeguard.AuditLedger;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyLifecycle;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code planeguard.*} properties. Every property can also be set from the environment with
 * Spring Boot's relaxed names: {@code planeguard.human.jwks-uri} is {@code
 * PLANEGUARD_HUMAN_JWKS_URI}, {@code planeguard.machine.keys-file} is {@code
 * PLANEGUARD_MACHINE_KEYS_FILE}.
 *
 * <p>The deployment contract itself ({@code AOS_MODE}, {@code DB_AUTHORITY}, {@code DB_ROLE}, the
 * bypass flags...) is not a property: it is read from the process environment (and, for tests, from
 * Spring properties of exactly those names), as every planeguard adapter reads it.
 */
@ConfigurationProperties("planeguard")
public class PlaneGuardProperties {

  /**
   * Where the policy file is: a Spring resource location ({@code classpath:}, {@code file:}, or a
   * plain path). When the default location has no file, the policy consists of the rules declared
   * by handler annotations alone; a location set explicitly must exist.
   */
  private String policyLocation = DEFAULT_POLICY_LOCATION;

  /**
   * Writes the effective policy (file rules merged with handler annotations) to this file at
   * startup, in the policy file format with each rule's origin, so CI can diff it between releases.
   */
  private @Nullable Path exportPolicy;

  /** The {@code realm} of {@code WWW-Authenticate} challenges. */
  private String realm = "api";

  /**
   * A header carrying the caller's request id, copied into audit events; none by default. The value
   * is escaped and capped before it is recorded.
   */
  private @Nullable String requestIdHeader;

  /** {@code Retry-After} of 503 answers. */
  private Duration retryAfter = Duration.ofSeconds(5);

  /**
   * The header naming the caller's tenant. Feeds the contract's {@code TENANT_HEADER} variable when
   * the environment does not set it ({@code X-AOS-Tenant} when neither does).
   */
  private @Nullable String tenantHeader;

  /**
   * Record the first and last use of each machine and sandbox key in its key store (the key file's
   * FILE.usage beside it, or the JDBC store's usage columns), from a background thread at most once
   * a minute per key. Turn off where the application may not write to the key store.
   */
  private boolean recordKeyUsage = true;

  private final Human human = new Human();
  private final Machine machine = new Machine();
  private final Keys sandbox = Keys.withHeader(PlaneGuardSettings.SANDBOX_KEY_HEADER);
  private final Audit audit = new Audit();
  private final KeyAge keys = new KeyAge();

  private final RateLimit rateLimit = new RateLimit();

  /** The default {@link #getPolicyLocation() policy location}. */
  public static final String DEFAULT_POLICY_LOCATION = "classpath:planeguard.policy";

  public String getPolicyLocation() {
    return policyLocation;
  }

  public void setPolicyLocation(String policyLocation) {
    this.policyLocation = policyLocation;
  }

  public @Nullable Path getExportPolicy() {
    return exportPolicy;
  }

  public void setExportPolicy(@Nullable Path exportPolicy) {
    this.exportPolicy = exportPolicy;
  }

  public String getRealm() {
    return realm;
  }

  public void setRealm(String realm) {
    this.realm = realm;
  }

  public @Nullable String getRequestIdHeader() {
    return requestIdHeader;
  }

  public void setRequestIdHeader(@Nullable String requestIdHeader) {
    this.requestIdHeader = requestIdHeader;
  }

  public Duration getRetryAfter() {
    return retryAfter;
  }

  public void setRetryAfter(Duration retryAfter) {
    this.retryAfter = retryAfter;
  }

  public @Nullable String getTenantHeader() {
    return tenantHeader;
  }

  public void setTenantHeader(@Nullable String tenantHeader) {
    this.tenantHeader = tenantHeader;
  }

  /** The human plane: issuers of {@code Authorization: Bearer} tokens. */
  public boolean isRecordKeyUsage() {
    return recordKeyUsage;
  }

  public void setRecordKeyUsage(boolean recordKeyUsage) {
    this.recordKeyUsage = recordKeyUsage;
  }

  public Human getHuman() {
    return human;
  }

  /** Key age, for every key store: {@code planeguard.keys.rotation-period}. */
  public KeyAge getKeys() {
    return keys;
  }

  /** How old keys may grow. */
  public static class KeyAge {

    /**
     * How old a key may grow before it is due for rotation: keys older than this are logged as a
     * warning at startup, by id, and keep working. 90 days by default.
     */
    private Duration rotationPeriod = KeyLifecycle.DEFAULT_ROTATION_PERIOD;

    public Duration getRotationPeriod() {
      return rotationPeriod;
    }

    public void setRotationPeriod(Duration rotationPeriod) {
      this.rotationPeriod = rotationPeriod;
    }
  }

  /** Machine keys ({@code X-AOS-Key}): a key file or the JDBC key store. */
  public Machine getMachine() {
    return machine;
  }

  /**
   * Sandbox keys ({@code X-AOS-Customer-Key}): only in local, and in test with {@code
   * CUSTOMER_SANDBOX_ENABLED=true}; configuring them anywhere else stops startup.
   */
  public Keys getSandbox() {
    return sandbox;
  }

  /** The audit ledger: every decision and key event, hash-chained, in a file. */
  public Audit getAudit() {
    return audit;
  }

  /** Rate limits, budgets and uses of authenticated callers. */
  public RateLimit getRateLimit() {
    return rateLimit;
  }

  /**
   * Rate limits, budgets and uses ({@code planeguard.rate-limit.*}). Each value unset here falls
   * back to its contract variable ({@code RATE_LIMIT_ENABLED}, {@code RATE_LIMIT_DEFAULT_RPM},
   * {@code RATE_LIMIT_BURST_RPM}, {@code SANDBOX_RATE_LIMIT_PER_MINUTE}, {@code
   * DEFAULT_TENANT_RATE_LIMIT}, {@code DEFAULT_TENANT_BUDGET_CENTS}). Values are checked by
   * planeguard itself, with the same messages as for the variables.
   */
  public static class RateLimit {

    /** true: every caller and tenant gets the default limits. Off unless set. */
    private @Nullable String enabled;

    /** Requests per minute of each caller without a limit of its own (600 unless set). */
    private @Nullable String defaultRpm;

    /** The most requests at once of such a caller (default-rpm unless set). */
    private @Nullable String burstRpm;

    /** Requests per minute of each sandbox key without a limit of its own (60 unless set). */
    private @Nullable String sandboxPerMinute;

    /** The limit of each tenant: requests per minute, or requests/period such as 6000/1m. */
    private @Nullable String tenant;

    /** Each tenant's budget, in cents per UTC day; handlers charge costs with AuditAttributes. */
    private @Nullable String tenantBudgetCents;

    /** Limits of named tenants, replacing the tenant limit: acme=60000/1m. */
    private Map<String, String> tenants = new LinkedHashMap<>();

    /** Budgets of named tenants in cents per UTC day, replacing tenant-budget-cents. */
    private Map<String, String> tenantBudgets = new LinkedHashMap<>();

    private final RateLimitJdbc jdbc = new RateLimitJdbc();

    public @Nullable String getEnabled() {
      return enabled;
    }

    public void setEnabled(@Nullable String enabled) {
      this.enabled = enabled;
    }

    public @Nullable String getDefaultRpm() {
      return defaultRpm;
    }

    public void setDefaultRpm(@Nullable String defaultRpm) {
      this.defaultRpm = defaultRpm;
    }

    public @Nullable String getBurstRpm() {
      return burstRpm;
    }

    public void setBurstRpm(@Nullable String burstRpm) {
      this.burstRpm = burstRpm;
    }

    public @Nullable String getSandboxPerMinute() {
      return sandboxPerMinute;
    }

    public void setSandboxPerMinute(@Nullable String sandboxPerMinute) {
      this.sandboxPerMinute = sandboxPerMinute;
    }

    public @Nullable String getTenant() {
      return tenant;
    }

    public void setTenant(@Nullable String tenant) {
      this.tenant = tenant;
    }

    public @Nullable String getTenantBudgetCents() {
      return tenantBudgetCents;
    }

    public void setTenantBudgetCents(@Nullable String tenantBudgetCents) {
      this.tenantBudgetCents = tenantBudgetCents;
    }

    public Map<String, String> getTenants() {
      return tenants;
    }

    public void setTenants(Map<String, String> tenants) {
      this.tenants = tenants;
    }

    public Map<String, String> getTenantBudgets() {
      return tenantBudgets;
    }

    public void setTenantBudgets(Map<String, String> tenantBudgets) {
      this.tenantBudgets = tenantBudgets;
    }

    /** The counts shared by a fleet in a table of the application's DataSource. */
    public RateLimitJdbc getJdbc() {
      return jdbc;
    }
  }

  /** Rate-limit counts shared by a fleet in a table of the application's PostgreSQL database. */
  public static class RateLimitJdbc {

    /**
     * Share the counts in the table of the application's DataSource (created by planeguard's
     * migration V4__planeguard_rate_limits.sql); off: each process counts on its own.
     */
    private boolean enabled;

    /** The table, optionally schema-qualified. */
    private String table = dev.planeguard.Admission.DEFAULT_TABLE;

    /**
     * Tokens a node spends of a shared count before it writes them; N nodes overshoot a limit by at
     * most N times this.
     */
    private long localAllowance = dev.planeguard.Admission.DEFAULT_LOCAL_ALLOWANCE;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }

    public long getLocalAllowance() {
      return localAllowance;
    }

    public void setLocalAllowance(long localAllowance) {
      this.localAllowance = localAllowance;
    }
  }

  /**
   * The audit ledger ({@code planeguard.audit.*}). Off unless {@code ledger} is set; every other
   * property has a default.
   */
  public static class Audit {

    /**
     * The ledger's active file (JSON Lines; created 0600). Setting it turns the ledger on; or use
     * the table of {@code jdbc}, not both.
     */
    private @Nullable Path ledger;

    /** How often queued entries are written and forced to disk (10 ms to 10 s). */
    private @Nullable Duration flushInterval;

    /** How long writes may fail before allowed requests are refused in preprod and prod. */
    private @Nullable Duration failureBound;

    /** Most entries queued and not yet written (1,000 to 10,000,000). */
    private @Nullable Integer queueCapacity;

    /** The file size that starts a new file (0: never by size; else at least 1 MiB). */
    private @Nullable Long rotateBytes;

    /** Whether each UTC day starts a new file. */
    private @Nullable Boolean rotateDaily;

    /**
     * This process's name in each entry (1 to 64 of A-Z a-z 0-9 . _ : -). Required with the ledger
     * table, where it names this process's chain: unique to the process and the same across its
     * restarts, such as {@code ${HOSTNAME}}.
     */
    private @Nullable String node;

    /** The ledger in a table of the application's DataSource, instead of a file. */
    private final AuditJdbc jdbc = new AuditJdbc();

    public @Nullable Path getLedger() {
      return ledger;
    }

    public void setLedger(@Nullable Path ledger) {
      this.ledger = ledger;
    }

    public @Nullable Duration getFlushInterval() {
      return flushInterval;
    }

    public void setFlushInterval(@Nullable Duration flushInterval) {
      this.flushInterval = flushInterval;
    }

    public @Nullable Duration getFailureBound() {
      return failureBound;
    }

    public void setFailureBound(@Nullable Duration failureBound) {
      this.failureBound = failureBound;
    }

    public @Nullable Integer getQueueCapacity() {
      return queueCapacity;
    }

    public void setQueueCapacity(@Nullable Integer queueCapacity) {
      this.queueCapacity = queueCapacity;
    }

    public @Nullable Long getRotateBytes() {
      return rotateBytes;
    }

    public void setRotateBytes(@Nullable Long rotateBytes) {
      this.rotateBytes = rotateBytes;
    }

    public @Nullable Boolean getRotateDaily() {
      return rotateDaily;
    }

    public void setRotateDaily(@Nullable Boolean rotateDaily) {
      this.rotateDaily = rotateDaily;
    }

    public @Nullable String getNode() {
      return node;
    }

    public void setNode(@Nullable String node) {
      this.node = node;
    }

    public AuditJdbc getJdbc() {
      return jdbc;
    }
  }

  /** The audit ledger in a table ({@code AuditLedger.jdbc}) of the application's DataSource. */
  public static class AuditJdbc {

    /**
     * Write the ledger to the table in the application's DataSource (one chain per node; requires
     * planeguard.audit.node). Create the table with planeguard's migration
     * V3__planeguard_audit_ledger.sql.
     */
    private boolean enabled;

    /** The ledger table, optionally schema-qualified. */
    private String table = AuditLedger.DEFAULT_TABLE;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }
  }

  /**
   * The human plane. The properties directly under {@code planeguard.human} configure one issuer
   * (the common case, and what the {@code PLANEGUARD_HUMAN_*} variables set); {@link
   * #getAdditionalIssuers() additional-issuers} adds more.
   */
  public static class Human extends Issuer {

    /** More issuers, each selected by the exact {@code iss} of a token. */
    private final List<Issuer> additionalIssuers = new ArrayList<>();

    /**
     * Which cryptography verifies token signatures: {@code jdk} (default) or {@code native}, which
     * needs the {@code planeguard-crypto-native} dependency and a platform its native library
     * supports (otherwise startup fails in preprod and prod; local and test fall back to the JDK
     * with a warning). Unset: the environment variable {@code PLANEGUARD_HUMAN_CRYPTO} decides.
     */
    private @Nullable String crypto;

    public List<Issuer> getAdditionalIssuers() {
      return additionalIssuers;
    }

    public @Nullable String getCrypto() {
      return crypto;
    }

    public void setCrypto(@Nullable String crypto) {
      this.crypto = crypto;
    }
  }

  /** How an issuer's keys are found. */
  public enum Preset {
    /**
     * OpenID Connect discovery ({@code /.well-known/openid-configuration}) unless a JWKS URI is
     * set.
     */
    OIDC,
    /**
     * Clerk: the issuer is the Frontend API URL, keys at its {@code /.well-known/jwks.json},
     * authorized parties required, RS256 only.
     */
    CLERK
  }

  /** One token issuer. Unset durations and lists take planeguard's documented defaults. */
  public static class Issuer {

    /** The exact {@code iss} of its tokens. */
    private @Nullable String issuer;

    /**
     * Where its keys are: {@code https:}, {@code file:}, a plain path, or {@code http:} (local and
     * test only). Unset: found by the {@link #getPreset() preset}.
     */
    private @Nullable String jwksUri;

    /** How the keys are found when no JWKS URI is set. */
    private Preset preset = Preset.OIDC;

    /**
     * Accepted audiences; a token's {@code aud} must contain one. Required in preprod and prod,
     * except for the Clerk preset, whose authorized parties bind its tokens instead.
     */
    private List<String> audiences = new ArrayList<>();

    /** Accepted {@code azp} values; empty accepts any (required for Clerk). */
    private List<String> authorizedParties = new ArrayList<>();

    /** Accepted signature algorithms; default RS256 and ES256. */
    private List<String> algorithms = new ArrayList<>();

    /** Accepted {@code typ} values; default {@code JWT}. */
    private List<String> allowedTypes = new ArrayList<>();

    /** Clock skew for {@code exp}, {@code nbf} and {@code iat}; default 30 s, at most 2 min. */
    private @Nullable Duration clockSkew;

    /** Longest accepted {@code exp - iat}; default 24 h. */
    private @Nullable Duration maxLifetime;

    /** Claims every token must carry; default {@code sub}. */
    private List<String> requiredClaims = new ArrayList<>();

    /** The claim naming the caller's tenant, if tokens carry one. */
    private @Nullable String tenantClaim;

    /**
     * The modes in which its tokens are accepted ({@code local}, {@code test}, {@code preprod},
     * {@code prod}); empty accepts them in every mode. In another mode its tokens are refused as
     * {@code WRONG_ISSUER}; an issuer for local and test only stops startup in preprod and prod.
     */
    private List<String> modes = new ArrayList<>();

    public @Nullable String getIssuer() {
      return issuer;
    }

    public void setIssuer(@Nullable String issuer) {
      this.issuer = issuer;
    }

    public @Nullable String getJwksUri() {
      return jwksUri;
    }

    public void setJwksUri(@Nullable String jwksUri) {
      this.jwksUri = jwksUri;
    }

    public Preset getPreset() {
      return preset;
    }

    public void setPreset(Preset preset) {
      this.preset = preset;
    }

    public List<String> getAudiences() {
      return audiences;
    }

    public void setAudiences(List<String> audiences) {
      this.audiences = audiences;
    }

    public List<String> getAuthorizedParties() {
      return authorizedParties;
    }

    public void setAuthorizedParties(List<String> authorizedParties) {
      this.authorizedParties = authorizedParties;
    }

    public List<String> getAlgorithms() {
      return algorithms;
    }

    public void setAlgorithms(List<String> algorithms) {
      this.algorithms = algorithms;
    }

    public List<String> getAllowedTypes() {
      return allowedTypes;
    }

    public void setAllowedTypes(List<String> allowedTypes) {
      this.allowedTypes = allowedTypes;
    }

    public @Nullable Duration getClockSkew() {
      return clockSkew;
    }

    public void setClockSkew(@Nullable Duration clockSkew) {
      this.clockSkew = clockSkew;
    }

    public @Nullable Duration getMaxLifetime() {
      return maxLifetime;
    }

    public void setMaxLifetime(@Nullable Duration maxLifetime) {
      this.maxLifetime = maxLifetime;
    }

    public List<String> getRequiredClaims() {
      return requiredClaims;
    }

    public void setRequiredClaims(List<String> requiredClaims) {
      this.requiredClaims = requiredClaims;
    }

    public @Nullable String getTenantClaim() {
      return tenantClaim;
    }

    public void setTenantClaim(@Nullable String tenantClaim) {
      this.tenantClaim = tenantClaim;
    }

    public List<String> getModes() {
      return modes;
    }

    public void setModes(List<String> modes) {
      this.modes = modes;
    }
  }

  /** A key plane: where its key records are and which header carries its keys. */
  public static class Keys {

    /**
     * The JSON Lines key file (see docs/keys.md), reloaded when it changes. Unset: no keys of this
     * plane unless the application defines a {@code KeyStore} bean.
     */
    private @Nullable Path keysFile;

    /**
     * The header carrying the key: X-AOS-Key for machine keys, X-AOS-Customer-Key for sandbox keys.
     */
    private String header;

    public Keys() {
      this("");
    }

    Keys(String header) {
      this.header = header;
    }

    static Keys withHeader(String header) {
      return new Keys(header);
    }

    public @Nullable Path getKeysFile() {
      return keysFile;
    }

    public void setKeysFile(@Nullable Path keysFile) {
      this.keysFile = keysFile;
    }

    public String getHeader() {
      return header;
    }

    public void setHeader(String header) {
      this.header = header;
    }
  }

  /**
   * Machine keys: from {@code keys-file}, or with {@code jdbc.enabled} from the JDBC key store in
   * the application's {@code DataSource} (one of the two; see docs/keys.md, "Fleet store").
   */
  public static class Machine extends Keys {

    private final Jdbc jdbc = new Jdbc();

    public Machine() {
      super(PlaneGuardSettings.MACHINE_KEY_HEADER);
    }

    /** The JDBC key store, for several instances sharing one key table. */
    public Jdbc getJdbc() {
      return jdbc;
    }
  }

  /** The JDBC key store ({@code JdbcKeyStore}) over the application's {@code DataSource} bean. */
  public static class Jdbc {

    /** Read machine keys from the key table in the application's DataSource. */
    private boolean enabled;

    /** The key table, optionally schema-qualified. */
    private String table = JdbcKeyStore.DEFAULT_TABLE;

    /**
     * How long a key record, or the answer that a key does not exist, is served from the cache; a
     * revocation made on another instance takes effect here within this time. Default 5 s; from 1
     * millisecond to 1 hour. It is also how long a cached key keeps working while the database is
     * down.
     */
    private Duration revocationBound = JdbcKeyStore.DEFAULT_REVOCATION_BOUND;

    /** The timeout of each lookup. Default 2 s; between 1 second and 1 minute. */
    private Duration queryTimeout = JdbcKeyStore.DEFAULT_QUERY_TIMEOUT;

    /**
     * PostgreSQL only: hold one connection with LISTEN on the table's channel and evict a changed
     * key at once, instead of waiting out the revocation bound. Not through a transaction-mode
     * pooler, which does not deliver notifications.
     */
    private boolean listen;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }

    public Duration getRevocationBound() {
      return revocationBound;
    }

    public void setRevocationBound(Duration revocationBound) {
      this.revocationBound = revocationBound;
    }

    public Duration getQueryTimeout() {
      return queryTimeout;
    }

    public void setQueryTimeout(Duration queryTimeout) {
      this.queryTimeout = queryTimeout;
    }

    public boolean isListen() {
      return listen;
    }

    public void setListen(boolean listen) {
      this.listen = listen;
    }
  }
}
