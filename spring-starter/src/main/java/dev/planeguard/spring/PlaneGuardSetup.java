package dev.planeguard.spring;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.ContractSpec;
import dev.planeguard.Enforcer;
import dev.planeguard.JwtVerifier;
import dev.planeguard.PlaneGuard;
import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.Policy;
import dev.planeguard.Problem;
import dev.planeguard.RouteCoverage;
import dev.planeguard.TokenVerifier;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.secrets.SecretTiers;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * The starter's startup: {@code planeguard.*} properties, the application's beans and what it knows
 * of Spring MVC or WebFlux become {@link PlaneGuardSettings}, and {@link PlaneGuard#assemble}
 * checks and builds everything, listing every problem at once, as it does for every adapter.
 */
final class PlaneGuardSetup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  /**
   * The application's beans planeguard uses; {@code null} means none. The first four replace what
   * the properties would build; the data source holds the JDBC key store's table and the audit
   * ledger's table.
   */
  record Beans(
      @Nullable Contract contract,
      @Nullable Policy policy,
      @Nullable TokenVerifier tokens,
      @Nullable KeyStore machineKeys,
      @Nullable DataSource dataSource) {}

  /**
   * What the starter learnt about the web application before building: its handlers (Spring MVC's
   * or WebFlux's; none without either), and settings planeguard cannot mirror (refused in preprod
   * and prod, warned about elsewhere).
   */
  record Web(@Nullable WebHandlers handlers, List<String> unmirrored) {}

  final PlaneGuard planeguard;
  final Enforcer enforcer;
  final Policy policy;
  final RouteCoverage coverage;
  final @Nullable WebHandlers handlers;
  final List<String> uncovered;
  final @Nullable JwtVerifier jwtVerifier;
  final @Nullable KeyStore machineKeys;

  private PlaneGuardSetup(PlaneGuard planeguard, @Nullable WebHandlers handlers) {
    this.planeguard = planeguard;
    this.enforcer = planeguard.enforcer();
    this.policy = enforcer.policy();
    this.coverage = planeguard.coverage();
    this.handlers = handlers;
    this.uncovered = coverage.uncovered();
    this.jwtVerifier = planeguard.jwtVerifier();
    this.machineKeys = planeguard.machineKeys();
  }

  /**
   * Checks and builds everything.
   *
   * @param web the framework's handlers and unmirrored settings
   * @throws ConfigurationException listing every problem found
   */
  static PlaneGuardSetup create(
      PlaneGuardProperties props,
      Environment environment,
      ResourceLoader resources,
      Beans overrides,
      Web web,
      List<PlaneGuardCustomizer> customizers) {
    PlaneGuardSettings.Builder b =
        PlaneGuardSettings.builder()
            .environment(contractEnvironment(environment))
            .naming(PlaneGuardSettings.Naming.PROPERTIES)
            .machineKeyHeader(props.getMachine().getHeader())
            .sandboxKeyHeader(props.getSandbox().getHeader())
            .retryAfter(props.getRetryAfter())
            .recordKeyUsage(props.isRecordKeyUsage())
            .keysRotationPeriod(props.getKeys().getRotationPeriod());
    WebHandlers handlers = web.handlers();
    if (handlers != null) {
      b.handlers(handlers.handlers());
    }
    web.unmirrored().forEach(b::unmirrored);

    if (overrides.contract() != null) {
      b.contract(overrides.contract());
    }
    if (overrides.policy() != null) {
      b.policy(overrides.policy());
    } else {
      String location = props.getPolicyLocation();
      b.policyLocation(
          location,
          read(resources.getResource(location)),
          location.equals(PlaneGuardProperties.DEFAULT_POLICY_LOCATION));
    }
    String tenantHeader = props.getTenantHeader();
    if (tenantHeader != null) {
      b.tenantHeader(tenantHeader);
    }
    PlaneGuardProperties.RateLimit limits = props.getRateLimit();
    PlaneGuardProperties.RateLimitJdbc limitsJdbc = limits.getJdbc();
    b.rateLimits(
        new PlaneGuardSettings.RateLimits(
            limits.getEnabled(),
            limits.getDefaultRpm(),
            limits.getBurstRpm(),
            limits.getSandboxPerMinute(),
            limits.getTenant(),
            limits.getTenantBudgetCents(),
            limits.getTenants(),
            limits.getTenantBudgets(),
            limitsJdbc.isEnabled()
                ? new PlaneGuardSettings.RateLimitsJdbc(
                    overrides.dataSource(), limitsJdbc.getTable(), limitsJdbc.getLocalAllowance())
                : null));
    PlaneGuardProperties.Audit audit = props.getAudit();
    PlaneGuardProperties.AuditJdbc auditJdbc = audit.getJdbc();
    if (audit.getLedger() != null || auditJdbc.isEnabled()) {
      b.audit(
          new PlaneGuardSettings.Audit(
              audit.getLedger(),
              audit.getFlushInterval(),
              audit.getFailureBound(),
              audit.getQueueCapacity(),
              audit.getRotateBytes(),
              audit.getRotateDaily(),
              audit.getNode(),
              auditJdbc.isEnabled()
                  ? new PlaneGuardSettings.AuditJdbc(overrides.dataSource(), auditJdbc.getTable())
                  : null));
    }

    if (overrides.tokens() != null) {
      b.tokenVerifier(overrides.tokens());
    } else if (props.getHuman().getIssuer() != null
        || !props.getHuman().getAdditionalIssuers().isEmpty()) {
      b.issuer(issuer(props.getHuman()));
      props.getHuman().getAdditionalIssuers().forEach(i -> b.issuer(issuer(i)));
    }
    b.humanCrypto(props.getHuman().getCrypto());

    PlaneGuardProperties.Machine machine = props.getMachine();
    if (overrides.machineKeys() != null) {
      b.machineKeyStore(overrides.machineKeys());
    } else {
      if (machine.getKeysFile() != null) {
        b.machineKeysFile(machine.getKeysFile());
      }
      if (machine.getJdbc().isEnabled()) {
        PlaneGuardProperties.Jdbc jdbc = machine.getJdbc();
        b.machineJdbc(
            new PlaneGuardSettings.Jdbc(
                overrides.dataSource(),
                jdbc.getTable(),
                jdbc.getRevocationBound(),
                jdbc.getQueryTimeout(),
                jdbc.isListen()));
      }
    }
    Path sandbox = props.getSandbox().getKeysFile();
    if (sandbox != null) {
      b.sandboxKeysFile(sandbox);
    }
    for (PlaneGuardCustomizer c : customizers) {
      b.customizer(c::customize);
    }

    PlaneGuard planeguard = PlaneGuard.assemble(b.build());
    try {
      exportPolicy(props.getExportPolicy(), planeguard.enforcer().policy());
    } catch (ConfigurationException e) {
      planeguard.close();
      throw e;
    }
    return new PlaneGuardSetup(planeguard, handlers);
  }

  /** The resource's text, or {@code null} if it does not exist or cannot be read. */
  private static @Nullable String read(Resource resource) {
    if (!resource.exists()) {
      return null;
    }
    try (InputStream in = resource.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  private static PlaneGuardSettings.Issuer issuer(PlaneGuardProperties.Issuer p) {
    return new PlaneGuardSettings.Issuer(
        p.getIssuer(),
        p.getJwksUri(),
        p.getPreset() == PlaneGuardProperties.Preset.CLERK
            ? PlaneGuardSettings.Preset.CLERK
            : PlaneGuardSettings.Preset.OIDC,
        p.getAudiences(),
        p.getAuthorizedParties(),
        p.getAlgorithms(),
        p.getAllowedTypes(),
        p.getRequiredClaims(),
        p.getClockSkew(),
        p.getMaxLifetime(),
        p.getTenantClaim(),
        p.getModes());
  }

  /**
   * The one startup of the servlet and the reactive auto-configuration. Here, not in either of
   * them: the servlet one references the Servlet API, which a WebFlux application need not have.
   */
  static PlaneGuardSetup fromBeans(
      PlaneGuardProperties properties,
      Environment environment,
      ResourceLoader resources,
      ObjectProvider<Contract> contract,
      ObjectProvider<Policy> policy,
      ObjectProvider<TokenVerifier> tokens,
      ObjectProvider<KeyStore> keys,
      ObjectProvider<DataSource> dataSource,
      ObjectProvider<PlaneGuardCustomizer> customizers,
      PlaneGuardSetup.Web web) {
    List<PlaneGuardCustomizer> all = customizers.orderedStream().toList();
    PlaneGuardSetup setup =
        PlaneGuardSetup.create(
            properties,
            environment,
            resources,
            new PlaneGuardSetup.Beans(
                contract.getIfUnique(),
                policy.getIfUnique(),
                tokens.getIfUnique(),
                keys.getIfUnique(),
                properties.getMachine().getJdbc().isEnabled()
                        || properties.getAudit().getJdbc().isEnabled()
                    ? dataSource.getIfUnique()
                    : null),
            web,
            all);
    LOG.info("{}", setup.routeTable());
    return setup;
  }

  private static final String ACTUATOR_ENDPOINT =
      "org.springframework.boot.actuate.endpoint.annotation.Endpoint";

  /**
   * Actuator's web endpoints on their own port run in a servlet context of their own, which the
   * planeguard filter of the application's context does not guard. Mirrors Spring Boot's own
   * reading of the two port properties.
   */
  static @Nullable String separateManagementPort(Environment environment) {
    if (!ClassUtils.isPresent(ACTUATOR_ENDPOINT, PlaneGuardSetup.class.getClassLoader())) {
      return null;
    }
    Integer management = environment.getProperty("management.server.port", Integer.class);
    Integer server = environment.getProperty("server.port", Integer.class);
    if (management == null
        || management < 0
        || (server == null && management == 8080)
        || (management != 0 && management.equals(server))) {
      return null;
    }
    return "Actuator's web endpoints are served on management.server.port="
        + management
        + ", a separate server no planeguard filter guards";
  }

  /**
   * The environment the contract and tier checks read: the process environment, with Spring
   * properties of exactly the contract's variable names laid over it (so tests and {@code -D}
   * options can set them; the real environment still wins in Spring's own order).
   */
  static Map<String, String> contractEnvironment(Environment spring) {
    Map<String, String> env = new HashMap<>(System.getenv());
    Map<String, String> declared = new HashMap<>();
    String flags = spring.getProperty(ContractSpec.BYPASS_FLAGS_VARIABLE);
    if (flags != null) {
      declared.put(ContractSpec.BYPASS_FLAGS_VARIABLE, flags);
    }
    Set<String> names = new LinkedHashSet<>(ContractSpec.standard().variables(declared));
    names.add(SecretTiers.TIER_VARIABLE);
    for (PlaneGuardSettings.Setting s : PlaneGuardSettings.Setting.ADMISSION_VARIABLES) {
      names.add(s.variable());
    }
    // Bypass flags named by a pattern (*_SHADOW_*) have no fixed name to ask for: every property
    // the application defines under a matching name counts, as an environment variable would.
    ContractSpec spec = ContractSpec.standard();
    List<ContractSpec.BypassFlag> patterns =
        spec.bypassFlags().stream().filter(ContractSpec.BypassFlag::isPattern).toList();
    if (spring instanceof ConfigurableEnvironment configurable && !patterns.isEmpty()) {
      for (PropertySource<?> source : configurable.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> enumerable) {
          for (String name : enumerable.getPropertyNames()) {
            if (patterns.stream().anyMatch(f -> f.matches(name))) {
              names.add(name);
            }
          }
        }
      }
    }
    for (String name : names) {
      String value = spring.getProperty(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    return env;
  }

  /** The route table: every rule with its plane and origin, then uncovered handlers. */
  String routeTable() {
    return planeguard.routeTable();
  }

  private static void exportPolicy(@Nullable Path target, Policy policy) {
    if (target == null) {
      return;
    }
    try {
      Path parent = target.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(target, policy.renderWithOrigins(), StandardCharsets.UTF_8);
      LOG.info("planeguard wrote the effective policy to {}", target);
    } catch (IOException e) {
      throw new ConfigurationException(
          "planeguard cannot export the policy",
          List.of(
              new Problem(
                  "planeguard.export-policy",
                  "cannot write " + target,
                  "point planeguard.export-policy at a writable file, or unset it")));
    }
  }

  @Override
  public void close() {
    planeguard.close();
  }
}
