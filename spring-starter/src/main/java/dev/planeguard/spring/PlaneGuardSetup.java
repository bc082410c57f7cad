package dev.planeguard.spring;

import dev.planeguard.ConfigurationException;
import dev.planeguard.Contract;
import dev.planeguard.ContractSpec;
import dev.planeguard.Enforcer;
import dev.planeguard.HumanIssuer;
import dev.planeguard.JdbcKeyStore;
import dev.planeguard.JwtVerifier;
import dev.planeguard.KeyFile;
import dev.planeguard.KeyStore;
import dev.planeguard.KeyVerifier;
import dev.planeguard.Mode;
import dev.planeguard.Policy;
import dev.planeguard.Problem;
import dev.planeguard.RouteCoverage;
import dev.planeguard.TierScopes;
import dev.planeguard.TokenVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Everything the starter checks and builds at startup, in one place, so that one failure lists
 * every problem: the contract (§3 of the contract: mode, authority, role, sandbox, bypass flags),
 * the tier scopes, the policy file, the handler annotations and their merge with the file, the
 * human issuers (an {@code http:} JWKS in preprod/prod), the key stores, sandbox keys outside
 * local/test, and route coverage (an uncovered handler stops preprod/prod).
 *
 * <p>Inputs the application defines as beans ({@link Contract}, {@link Policy}, {@link
 * TokenVerifier}, a machine {@link KeyStore}) replace what the properties would build.
 */
final class PlaneGuardSetup implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  /**
   * The application's beans planeguard uses; {@code null} means none. The first four replace what
   * the properties would build; the data source holds the JDBC key store's table.
   */
  record Beans(
      @Nullable Contract contract,
      @Nullable Policy policy,
      @Nullable TokenVerifier tokens,
      @Nullable KeyStore machineKeys,
      @Nullable DataSource dataSource) {}

  /**
   * What the starter learnt about the web application before building: the DispatcherServlet's
   * path prefix and its handlers (both absent without Spring MVC), and settings planeguard cannot
   * mirror (refused in preprod and prod, warned about elsewhere).
   */
  record Web(String servletPath, @Nullable MvcHandlers handlers, List<String> unmirrored) {
    static final Web NONE = new Web("", null, List.of());
  }

  final Enforcer enforcer;
  final Policy policy;
  final RouteCoverage coverage;
  final @Nullable MvcHandlers handlers;
  final List<String> uncovered;
  final @Nullable JwtVerifier jwtVerifier;
  final @Nullable KeyStore machineKeys;
  private final List<AutoCloseable> owned;

  private PlaneGuardSetup(
      Enforcer enforcer,
      RouteCoverage coverage,
      @Nullable MvcHandlers handlers,
      @Nullable JwtVerifier jwtVerifier,
      @Nullable KeyStore machineKeys,
      List<AutoCloseable> owned) {
    this.enforcer = enforcer;
    this.policy = enforcer.policy();
    this.coverage = coverage;
    this.handlers = handlers;
    this.uncovered = coverage.uncovered();
    this.jwtVerifier = jwtVerifier;
    this.machineKeys = machineKeys;
    this.owned = owned;
  }

  /**
   * Checks and builds everything.
   *
   * @param web the DispatcherServlet's path, handlers and unmirrored settings
   * @throws ConfigurationException listing every problem found
   */
  static PlaneGuardSetup create(
      PlaneGuardProperties props,
      Environment environment,
      ResourceLoader resources,
      Beans overrides,
      Web web,
      List<PlaneGuardCustomizer> customizers) {
    List<Problem> problems = new ArrayList<>();
    List<AutoCloseable> owned = new ArrayList<>();
    Map<String, String> env = environment(environment, props, problems);

    Contract contract = overrides.contract();
    // The mode as written, for checks that must still run when the contract itself is invalid.
    Mode mode = Mode.parse(String.valueOf(env.get(ContractSpec.standard().modeVariable())).strip());
    if (contract == null) {
      try {
        contract = Contract.parse(env);
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    if (contract != null) {
      try {
        TierScopes.checkStartup(contract, env).forEach(w -> LOG.warn("planeguard tier scopes: {}", w));
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }

    List<RouteCoverage.Handler> routes =
        web.handlers() == null ? List.of() : web.handlers().handlers();
    Policy policy = policy(props, resources, overrides.policy(), routes, problems);

    TokenVerifier tokens = overrides.tokens();
    JwtVerifier jwt = null;
    if (tokens == null && props.getHuman().getIssuer() != null) {
      try {
        JwtVerifier.Builder b = JwtVerifier.builder();
        Mode m = contract != null ? contract.mode() : mode;
        if (m != null) {
          b.mode(m);
        }
        b.issuer(issuer(props.getHuman()));
        for (PlaneGuardProperties.Issuer more : props.getHuman().getAdditionalIssuers()) {
          b.issuer(issuer(more));
        }
        jwt = b.build();
        owned.add(jwt);
        tokens = jwt;
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      } catch (IllegalArgumentException e) {
        problems.add(new Problem("planeguard.human", String.valueOf(e.getMessage()), "fix it"));
      }
    } else if (tokens instanceof JwtVerifier j) {
      jwt = j;
    }

    KeyStore machine = overrides.machineKeys();
    if (machine == null) {
      machine =
          props.getMachine().getJdbc().isEnabled()
              ? jdbcStore(props.getMachine(), overrides.dataSource(), owned, problems)
              : keyFile(props.getMachine(), "planeguard.machine.keys-file", owned, problems);
    }
    KeyStore sandbox = keyFile(props.getSandbox(), "planeguard.sandbox.keys-file", owned, problems);
    if (sandbox != null && contract == null && mode != null && mode.isProductionLike()) {
      // Enforcer.build reports this with a valid contract; without one it is never reached.
      problems.add(
          new Problem(
              "sandbox keys",
              "sandbox keys are configured but AOS_MODE=" + mode + " does not allow them",
              "remove planeguard.sandbox.keys-file: sandbox keys never work in " + mode));
    }

    Mode effectiveMode = contract != null ? contract.mode() : mode;
    RouteCoverage coverage = null;
    if (policy != null) {
      coverage = RouteCoverage.of(policy, routes);
      if (effectiveMode != null) {
        problems.addAll(coverage.startupProblems(effectiveMode));
      }
    }
    if (effectiveMode != null) {
      unmirrored(web.unmirrored(), effectiveMode, problems);
    }

    Enforcer enforcer = null;
    if (contract != null && policy != null) {
      try {
        Enforcer.Builder b =
            Enforcer.builder()
                .contract(contract)
                .policy(policy)
                .machineKeyHeader(props.getMachine().getHeader())
                .sandboxKeyHeader(props.getSandbox().getHeader())
                .retryAfter(props.getRetryAfter());
        if (tokens != null) {
          b.tokenVerifier(tokens);
        }
        if (machine != null) {
          b.machineKeyVerifier(KeyVerifier.of(machine));
        }
        if (sandbox != null) {
          b.sandboxKeyVerifier(KeyVerifier.of(sandbox));
        }
        for (PlaneGuardCustomizer c : customizers) {
          c.customize(b);
        }
        enforcer = b.build();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }

    if (!problems.isEmpty() || enforcer == null || coverage == null || policy == null) {
      closeAll(owned);
      throw new ConfigurationException(
          "planeguard cannot start", dedupe(problems));
    }
    exportPolicy(props.getExportPolicy(), policy);
    return new PlaneGuardSetup(enforcer, coverage, web.handlers(), jwt, machine, List.copyOf(owned));
  }

  /**
   * Settings with which the framework would dispatch requests otherwise than planeguard decides
   * them: startup problems in preprod and prod, warnings elsewhere.
   */
  static void unmirrored(List<String> settings, Mode mode, List<Problem> problems) {
    for (String setting : settings) {
      if (mode.isProductionLike()) {
        problems.add(
            new Problem(
                "web configuration",
                setting + ", which planeguard does not mirror",
                "use Spring's default path matching and keep the DispatcherServlet and Actuator"
                    + " on the application's port, behind the planeguard filter"));
      } else {
        LOG.warn(
            "planeguard: {}, which planeguard does not mirror; requests it would serve differently"
                + " answer 404 (DISPATCH_MISMATCH), and this stops startup in preprod and prod",
            setting);
      }
    }
  }

  /**
   * The environment the contract and tier checks read: the process environment, with Spring
   * properties of exactly the contract's variable names laid over it (so tests and {@code -D}
   * options can set them; the real environment still wins in Spring's own order).
   */
  static Map<String, String> contractEnvironment(Environment spring) {
    Map<String, String> env = new HashMap<>(System.getenv());
    ContractSpec spec = ContractSpec.standard();
    Set<String> names = new LinkedHashSet<>();
    names.add(spec.modeVariable());
    names.add(spec.authorityVariable());
    names.add(spec.roleVariable());
    names.add(spec.sandboxVariable());
    names.add(spec.confirmVariable());
    names.add(spec.bypassFlagsVariable());
    names.add(TENANT_HEADER);
    names.add(ENFORCE_TENANCY);
    names.add(TierScopes.TIER_VARIABLE);
    spec.bypassFlags().forEach(f -> names.add(f.name()));
    String added = spring.getProperty(spec.bypassFlagsVariable());
    if (added != null) {
      for (String entry : added.split("[,\\s]+")) {
        int colon = entry.indexOf(':');
        if (colon > 0) {
          names.add(entry.substring(0, colon));
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

  private static Map<String, String> environment(
      Environment spring, PlaneGuardProperties props, List<Problem> problems) {
    Map<String, String> env = contractEnvironment(spring);
    String tenantHeader = props.getTenantHeader();
    if (tenantHeader != null) {
      String fromEnv = env.get(TENANT_HEADER);
      if (fromEnv == null || fromEnv.isBlank()) {
        env.put(TENANT_HEADER, tenantHeader);
      } else if (!fromEnv.strip().equalsIgnoreCase(tenantHeader.strip())) {
        problems.add(
            new Problem(
                "planeguard.tenant-header",
                "disagrees with " + TENANT_HEADER + " in the environment",
                "set the tenant header in one place"));
      }
    }
    return env;
  }

  private static final String TENANT_HEADER = "TENANT_HEADER";
  private static final String ENFORCE_TENANCY = "ENFORCE_TENANCY";

  private static @Nullable Policy policy(
      PlaneGuardProperties props,
      ResourceLoader resources,
      @Nullable Policy override,
      List<RouteCoverage.Handler> routes,
      List<Problem> problems) {
    boolean declares = routes.stream().anyMatch(r -> r.declared().isPresent());
    Policy file = override;
    if (file == null) {
      String location = props.getPolicyLocation();
      Resource resource = resources.getResource(location);
      if (resource.exists()) {
        try (InputStream in = resource.getInputStream()) {
          file = Policy.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), name(resource, location));
        } catch (ConfigurationException e) {
          problems.addAll(e.problems());
          return null;
        } catch (IOException e) {
          problems.add(
              new Problem(
                  "planeguard.policy-location",
                  "cannot read " + location,
                  "check that the resource exists and is readable"));
          return null;
        }
      } else if (!location.equals(PlaneGuardProperties.DEFAULT_POLICY_LOCATION) || !declares) {
        problems.add(
            new Problem(
                "planeguard.policy-location",
                "no policy file at " + location
                    + (declares ? "" : " and no handler declares its plane"),
                "create the policy file (see docs/policy.md) or set planeguard.policy-location"));
        return null;
      }
    }
    try {
      return RouteCoverage.policy(file, routes);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
      return null;
    }
  }

  private static String name(Resource resource, String location) {
    String file = resource.getFilename();
    return file == null ? location : file;
  }

  private static HumanIssuer issuer(PlaneGuardProperties.Issuer p) {
    String iss = p.getIssuer();
    if (iss == null) {
      throw new IllegalArgumentException("an additional issuer has no issuer");
    }
    String given = p.getJwksUri();
    String jwks = given == null || given.isBlank() ? null : given;
    HumanIssuer.Builder b =
        p.getPreset() == PlaneGuardProperties.Preset.CLERK
            ? HumanIssuer.clerk(iss)
            : jwks != null ? HumanIssuer.builder(iss) : HumanIssuer.oidc(iss);
    if (jwks != null) {
      if (jwks.contains(":") && !jwks.startsWith("/")) {
        b.jwksUri(URI.create(jwks));
      } else {
        b.jwksFile(Path.of(jwks));
      }
    }
    b.audiences(p.getAudiences().toArray(String[]::new));
    b.authorizedParties(p.getAuthorizedParties().toArray(String[]::new));
    if (!p.getAlgorithms().isEmpty()) {
      b.algorithms(p.getAlgorithms().toArray(String[]::new));
    }
    if (!p.getAllowedTypes().isEmpty()) {
      b.allowedTypes(p.getAllowedTypes().toArray(String[]::new));
    }
    if (!p.getRequiredClaims().isEmpty()) {
      b.requiredClaims(p.getRequiredClaims().toArray(String[]::new));
    }
    Duration skew = p.getClockSkew();
    if (skew != null) {
      b.clockSkew(skew);
    }
    Duration lifetime = p.getMaxLifetime();
    if (lifetime != null) {
      b.maxLifetime(lifetime);
    }
    String tenant = p.getTenantClaim();
    if (tenant != null) {
      b.tenantClaim(tenant);
    }
    return b.build();
  }

  private static @Nullable KeyStore jdbcStore(
      PlaneGuardProperties.Machine machine,
      @Nullable DataSource dataSource,
      List<AutoCloseable> owned,
      List<Problem> problems) {
    if (machine.getKeysFile() != null) {
      problems.add(
          new Problem(
              "planeguard.machine",
              "both keys-file and jdbc.enabled are set",
              "choose one store for machine keys: remove planeguard.machine.keys-file, or"
                  + " planeguard.machine.jdbc.enabled"));
    }
    if (dataSource == null) {
      problems.add(
          new Problem(
              "planeguard.machine.jdbc.enabled",
              "the JDBC key store needs one DataSource bean, and there is none or more than one",
              "configure spring.datasource.*, or define a single (or @Primary) DataSource bean"));
      return null;
    }
    PlaneGuardProperties.Jdbc jdbc = machine.getJdbc();
    JdbcKeyStore.Builder b = JdbcKeyStore.builder(dataSource);
    int before = problems.size();
    configure(problems, "planeguard.machine.jdbc.table", () -> b.table(jdbc.getTable()));
    configure(
        problems,
        "planeguard.machine.jdbc.revocation-bound",
        () -> b.revocationBound(jdbc.getRevocationBound()));
    configure(
        problems, "planeguard.machine.jdbc.query-timeout", () -> b.queryTimeout(jdbc.getQueryTimeout()));
    if (jdbc.isListen()) {
      b.listenForChanges();
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      JdbcKeyStore store = b.build();
      owned.add(store);
      LOG.info("planeguard machine keys: {}", store);
      return store;
    } catch (IllegalStateException e) {
      problems.add(
          new Problem(
              "planeguard.machine.jdbc.listen",
              String.valueOf(e.getMessage()),
              "add the PostgreSQL JDBC driver, or set planeguard.machine.jdbc.listen=false"));
      return null;
    }
  }

  private static void configure(List<Problem> problems, String property, Runnable setting) {
    try {
      setting.run();
    } catch (IllegalArgumentException e) {
      problems.add(new Problem(property, String.valueOf(e.getMessage()), "fix " + property));
    }
  }

  private static @Nullable KeyStore keyFile(
      PlaneGuardProperties.Keys keys, String property, List<AutoCloseable> owned, List<Problem> problems) {
    Path file = keys.getKeysFile();
    if (file == null) {
      return null;
    }
    try {
      KeyFile store = KeyFile.watch(file, KeyFile.DEFAULT_RELOAD_INTERVAL);
      owned.add(store);
      return store;
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    } catch (RuntimeException e) {
      problems.add(new Problem(property, "cannot read " + file, "check that the file exists and is readable"));
    }
    return null;
  }

  /** The route table: every rule with its plane and origin, then uncovered handlers. */
  String routeTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("planeguard route table (mode ")
        .append(enforcer.contract().mode().name().toLowerCase(Locale.ROOT))
        .append("):\n");
    sb.append(policy.renderWithOrigins());
    if (!uncovered.isEmpty()) {
      sb.append("served but not covered by any rule (answered 404):\n");
      uncovered.forEach(u -> sb.append("  ").append(u).append('\n'));
    }
    return sb.toString();
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
          List.of(new Problem("planeguard.export-policy", "cannot write " + target, "check the path")));
    }
  }

  private static List<Problem> dedupe(List<Problem> problems) {
    return List.copyOf(new LinkedHashSet<>(problems));
  }

  private static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.debug("planeguard: closing {} failed", r.getClass().getName());
      }
    }
  }

  @Override
  public void close() {
    closeAll(owned);
  }
}
