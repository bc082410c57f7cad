package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.PlaneGuardSettings.Issuer;
import dev.planeguard.PlaneGuardSettings.Naming;
import dev.planeguard.PlaneGuardSettings.Setting;
import dev.planeguard.internal.KeyUsageRecorder;
import dev.planeguard.internal.StoreKeyVerifier;
import dev.planeguard.internal.Text;
import dev.planeguard.keys.JdbcKeyStore;
import dev.planeguard.keys.KeyFile;
import dev.planeguard.keys.KeyRecord;
import dev.planeguard.keys.KeyStore;
import dev.planeguard.keys.KeyVerifier;
import dev.planeguard.secrets.SecretTiers;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * planeguard assembled from {@link PlaneGuardSettings}: the {@link Enforcer}, the coverage of the
 * framework's handlers, and the resources they hold (JWKS refresh, key file reloads, the JDBC
 * store), closed together. {@link #assemble} is the one startup of every adapter: it checks
 * everything together and fails with one {@link ConfigurationException} listing every problem.
 *
 * <p>What is checked, in one pass: the environment contract (mode, database authority and role,
 * sandbox, bypass flags); the secret tiers ({@code PLANEGUARD_TIER}); the policy file, the
 * handlers' declarations and their agreement with the file; the human issuers (their JWKS location,
 * plain {@code http:} and a missing audience in preprod and prod); the key stores; sandbox keys
 * outside local and test; the headers; the handlers no rule covers or that are reachable under
 * rules of another plane; framework settings that cannot be mirrored. Warnings (local and test) are
 * logged to the SLF4J logger {@code planeguard}.
 */
public final class PlaneGuard implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  private static final Pattern WINDOWS_DRIVE = Pattern.compile("[A-Za-z]:[\\\\/].*");

  private final Enforcer enforcer;
  private final RouteCoverage coverage;
  private final @Nullable JwtVerifier jwtVerifier;
  private final @Nullable KeyStore machineKeys;
  private final @Nullable AuditLedger ledger;
  private final List<AutoCloseable> owned;

  private PlaneGuard(
      Enforcer enforcer,
      RouteCoverage coverage,
      @Nullable JwtVerifier jwtVerifier,
      @Nullable KeyStore machineKeys,
      @Nullable AuditLedger ledger,
      List<AutoCloseable> owned) {
    this.enforcer = enforcer;
    this.coverage = coverage;
    this.jwtVerifier = jwtVerifier;
    this.machineKeys = machineKeys;
    this.ledger = ledger;
    this.owned = owned;
  }

  /** The enforcer every adapter decides with. */
  public Enforcer enforcer() {
    return enforcer;
  }

  /** The coverage of the handlers given in the settings, for {@link Enforcer#confirm}. */
  public RouteCoverage coverage() {
    return coverage;
  }

  /** The JWT verifier built from the settings' issuers, or {@code null}. */
  public @Nullable JwtVerifier jwtVerifier() {
    return jwtVerifier;
  }

  /** The machine key store, or {@code null} if the policy needs none. */
  public @Nullable KeyStore machineKeys() {
    return machineKeys;
  }

  /** The audit ledger of the settings, or {@code null} if none was configured. */
  public @Nullable AuditLedger ledger() {
    return ledger;
  }

  /** The route table: every rule with its origin, then the handlers no rule covers. */
  public String routeTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("planeguard route table (mode ")
        .append(enforcer.contract().mode().id())
        .append("):\n");
    sb.append(enforcer.policy().renderWithOrigins());
    if (!coverage.uncovered().isEmpty()) {
      sb.append("served but not covered by any rule (answered 404):\n");
      coverage.uncovered().forEach(u -> sb.append("  ").append(u).append('\n'));
    }
    return sb.toString();
  }

  /**
   * Stops background work: JWKS refreshes, key file reloads, the JDBC store's listener. First it
   * writes the key uses noted since the last flush (see {@link
   * PlaneGuardSettings.Builder#recordKeyUsage}), except for keys written less than a minute ago,
   * which are written at most once a minute; last, it writes what the audit ledger holds and closes
   * it.
   */
  @Override
  public void close() {
    closeAll(owned);
  }

  @Override
  public String toString() {
    return "PlaneGuard{mode=" + enforcer.contract().mode().id() + ", " + enforcer.policy() + "}";
  }

  /**
   * Checks and builds everything.
   *
   * @throws ConfigurationException listing every problem found
   */
  public static PlaneGuard assemble(PlaneGuardSettings settings) {
    requireNonNull(settings, "settings");
    return new Assembly(settings).run();
  }

  /**
   * The coverage of a framework's handlers under an {@link Enforcer} the application built itself,
   * with the startup checks {@link #assemble} makes of them: handlers no rule covers or reachable
   * under rules of another plane, and framework settings that cannot be mirrored, refused in
   * preprod and prod and logged as warnings elsewhere.
   *
   * @param unmirrored framework settings with which requests would be dispatched otherwise than
   *     decided, one line each
   * @throws ConfigurationException listing every problem (preprod and prod)
   */
  public static RouteCoverage cover(
      Enforcer enforcer, List<RouteCoverage.Handler> handlers, List<String> unmirrored) {
    RouteCoverage coverage = RouteCoverage.of(enforcer.policy(), handlers);
    Mode mode = enforcer.contract().mode();
    List<Problem> problems = new ArrayList<>(coverage.startupProblems(mode));
    problems.addAll(unmirrored(unmirrored, mode));
    if (!problems.isEmpty()) {
      throw new ConfigurationException("planeguard cannot start", problems);
    }
    return coverage;
  }

  /** Framework settings planeguard cannot mirror: problems in preprod and prod, else warnings. */
  private static List<Problem> unmirrored(List<String> settings, Mode mode) {
    List<Problem> problems = new ArrayList<>();
    for (String setting : settings) {
      if (mode.isProductionLike()) {
        problems.add(
            new Problem(
                "web configuration",
                setting + ", which planeguard does not mirror",
                "use the framework's default path matching and keep every handler (Actuator"
                    + " included) behind the planeguard filter on the application's port"));
      } else {
        LOG.warn(
            "planeguard: {}, which planeguard does not mirror; requests served differently"
                + " answer 404 (DISPATCH_MISMATCH), and this stops startup in preprod and prod",
            setting);
      }
    }
    return problems;
  }

  /**
   * Parses a JWKS location as every adapter accepts it: an {@code https:} or {@code http:} URL, a
   * {@code file:} URI, or a file path (absolute, relative, or a Windows drive path).
   *
   * @return the location as a URI, or {@code null} with a problem added
   */
  static @Nullable URI jwksLocation(String value, String subject, List<Problem> problems) {
    String v = value.strip();
    if (v.isEmpty()) {
      problems.add(new Problem(subject, "is empty", "give a path, a file: URI or an https: URL"));
      return null;
    }
    int colon = v.indexOf(':');
    int slash = v.indexOf('/');
    boolean scheme =
        colon > 0 && (slash < 0 || colon < slash) && !WINDOWS_DRIVE.matcher(v).matches();
    try {
      if (!scheme) {
        return Path.of(v).toAbsolutePath().toUri();
      }
      URI uri = new URI(v);
      String s = uri.getScheme().toLowerCase(Locale.ROOT);
      if ((s.equals("https") || s.equals("http")) && uri.getHost() != null) {
        return uri;
      }
      if (s.equals("file") && uri.getPath() != null) {
        return uri;
      }
    } catch (URISyntaxException | InvalidPathException e) {
      // reported below
    }
    problems.add(
        new Problem(
            subject,
            "the JWKS location "
                + Text.quote(v, 128)
                + " is neither a file path, a file: URI nor an http(s): URL",
            "give a path such as /etc/planeguard/jwks.json, a file: URI or an https: URL"));
    return null;
  }

  /** The one pass over the settings. */
  private static final class Assembly {
    private final PlaneGuardSettings s;
    private final Naming naming;
    private final List<Problem> problems = new ArrayList<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private @Nullable AuditLedger ledger;
    private String cryptoSetting = "";

    Assembly(PlaneGuardSettings settings) {
      this.s = settings;
      this.naming = settings.naming;
    }

    String name(Setting setting) {
      return naming.name(setting);
    }

    PlaneGuard run() {
      Map<String, String> env = environment();
      Contract contract = s.contract;
      ContractSpec spec = ContractSpec.standard();
      String rawMode = env.get(spec.modeVariable());
      // The mode as written, for checks that must still run when the contract itself is invalid.
      Mode mode = Mode.parse(rawMode == null ? null : rawMode.strip());
      if (contract == null) {
        try {
          contract = Contract.parse(env);
        } catch (ConfigurationException e) {
          problems.addAll(e.problems());
        }
      }
      if (contract != null) {
        mode = contract.mode();
        try {
          SecretTiers.checkStartup(contract, env)
              .forEach(w -> LOG.warn("planeguard tier scopes: {}", w));
        } catch (ConfigurationException e) {
          problems.addAll(e.problems());
        }
      }

      Policy policy = policy();
      TokenVerifier tokens = s.tokenVerifier;
      JwtVerifier jwt = tokens instanceof JwtVerifier j ? j : null;
      HumanCrypto crypto = humanCrypto(env);
      if (tokens == null && !s.issuers.isEmpty()) {
        jwt = jwtVerifier(mode, crypto);
        tokens = jwt;
      }
      KeyStore machine = machineKeys();
      KeyStore sandbox = keyFile(s.sandboxKeysFile, Setting.SANDBOX_KEYS_FILE);
      if (sandbox != null && contract == null && mode != null && mode.isProductionLike()) {
        // Enforcer.Builder reports this with a valid contract; without one it is never reached.
        problems.add(
            new Problem(
                "sandbox keys",
                "sandbox keys are configured but AOS_MODE=" + mode + " does not allow them",
                "remove "
                    + name(Setting.SANDBOX_KEYS_FILE)
                    + ": sandbox keys never work in "
                    + mode));
      }

      RouteCoverage coverage = null;
      if (policy != null) {
        coverage = RouteCoverage.of(policy, s.handlers);
        if (mode != null) {
          problems.addAll(coverage.startupProblems(mode));
        }
      }
      if (mode != null) {
        problems.addAll(unmirrored(s.unmirrored, mode));
      }

      boolean missingPlane = false;
      if (policy != null && policy.uses(Plane.HUMAN) && tokens == null && s.issuers.isEmpty()) {
        missingPlane = true;
        problems.add(
            new Problem(
                name(Setting.HUMAN_ISSUER),
                "the policy has human-plane rules but no human issuer is configured",
                "set "
                    + name(Setting.HUMAN_ISSUER)
                    + " to the exact iss of your tokens, with "
                    + name(Setting.HUMAN_AUDIENCES)
                    + " and, unless the issuer supports OpenID"
                    + " discovery, "
                    + name(Setting.HUMAN_JWKS)));
      }
      if (policy != null
          && policy.uses(Plane.MACHINE)
          && s.machineKeyStore == null
          && s.machineKeyVerifier == null
          && s.machineKeysFile == null
          && s.machineJdbc == null) {
        missingPlane = true;
        problems.add(
            new Problem(
                name(Setting.MACHINE_KEYS_FILE),
                "the policy has machine-plane rules but no machine key store is configured",
                "create a key file (planeguard keys new --file FILE) and set "
                    + name(Setting.MACHINE_KEYS_FILE)));
      }
      // A plane whose verifier failed to build has its problems listed already; a stand-in keeps
      // the enforcer's own checks from listing it again as missing.
      if (tokens == null && !s.issuers.isEmpty()) {
        tokens = token -> new Verification.Unavailable(Detail.NOT_CONFIGURED);
      }
      KeyVerifier keyVerifier = s.machineKeyVerifier;
      if (keyVerifier == null
          && machine == null
          && (s.machineKeysFile != null || s.machineJdbc != null)) {
        keyVerifier = (key, kind, m) -> new Verification.Unavailable(Detail.NOT_CONFIGURED);
      }
      if (s.keysRotationPeriod.isNegative() || s.keysRotationPeriod.isZero()) {
        problems.add(
            new Problem(
                name(Setting.KEYS_ROTATION_PERIOD),
                "must be positive",
                "set it to how old a key may grow before it is rotated, such as 90d"));
      }
      problems.addAll(s.invalid);
      Admission admission = AdmissionSettings.admission(s.rateLimits, env, this::name, problems);
      Enforcer enforcer = null;
      if (contract != null && policy != null && !missingPlane) {
        if (problems.isEmpty()) {
          ledger = ledger();
        }
        enforcer = enforcer(contract, policy, tokens, keyVerifier, machine, sandbox, admission);
      }
      if (!problems.isEmpty() || enforcer == null || coverage == null) {
        closeAll(owned);
        throw new ConfigurationException(
            "planeguard cannot start", List.copyOf(new LinkedHashSet<>(problems)));
      }
      warnRotationDue(machine, sandbox, s.keysRotationPeriod, Instant.now());
      return new PlaneGuard(enforcer, coverage, jwt, machine, ledger, List.copyOf(owned));
    }

    /** The environment, with the adapter's tenant header setting laid over the contract's. */
    private Map<String, String> environment() {
      Map<String, String> env = new HashMap<>(s.environment);
      String variable = ContractSpec.standard().tenantHeaderVariable();
      String setting = s.tenantHeader;
      if (setting != null) {
        String fromEnv = env.get(variable);
        if (fromEnv == null || fromEnv.isBlank()) {
          env.put(variable, setting);
        } else if (!fromEnv.strip().equalsIgnoreCase(setting.strip())) {
          problems.add(
              new Problem(
                  name(Setting.TENANT_HEADER),
                  "disagrees with " + variable + " in the environment",
                  "set the tenant header in one place: "
                      + variable
                      + " or "
                      + name(Setting.TENANT_HEADER)));
        }
      }
      return env;
    }

    private @Nullable Policy policy() {
      List<Policy.Declaration> extra = s.extraDeclarations;
      boolean declares =
          !extra.isEmpty() || s.handlers.stream().anyMatch(h -> h.declared().isPresent());
      Policy file = s.policy;
      if (file == null) {
        String location = s.policyLocation;
        String subject = name(Setting.POLICY_LOCATION);
        if (location == null || location.isBlank()) {
          if (!declares) {
            problems.add(
                new Problem(
                    subject,
                    "no policy file is configured and no handler declares its plane",
                    "set " + subject + " to the policy file (see docs/policy.md)"));
            return null;
          }
        } else if (s.policyText != null) {
          try {
            file = Policy.parse(s.policyText, fileName(location));
          } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return null;
          }
        } else if (!s.policyOptional || !declares) {
          Path path = path(location);
          if (path == null || !java.nio.file.Files.isRegularFile(path)) {
            problems.add(
                new Problem(
                    subject,
                    "no policy file at "
                        + location
                        + (declares ? "" : " and no handler declares its plane"),
                    "create the policy file (see docs/policy.md) or set " + subject));
            return null;
          }
          try {
            file = Policy.load(path);
          } catch (ConfigurationException e) {
            problems.addAll(e.problems());
            return null;
          }
        }
      }
      try {
        List<RouteCoverage.Handler> handlers = s.handlers;
        if (extra.isEmpty()) {
          return RouteCoverage.policy(file, handlers);
        }
        List<Problem> declarationProblems = new ArrayList<>();
        List<Policy.Declaration> all =
            new ArrayList<>(RouteCoverage.declarations(handlers, declarationProblems));
        all.addAll(extra);
        if (!declarationProblems.isEmpty()) {
          problems.addAll(declarationProblems);
          return null;
        }
        return file == null ? Policy.ofDeclarations(all) : file.merge(all);
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
        return null;
      }
    }

    private static String fileName(String location) {
      int cut = Math.max(location.lastIndexOf('/'), location.lastIndexOf(':'));
      String name = cut >= 0 ? location.substring(cut + 1) : location;
      return name.isEmpty() ? location : name;
    }

    private static @Nullable Path path(String location) {
      try {
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
      } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
        return null;
      }
    }

    /**
     * The adapter's crypto setting, else {@code PLANEGUARD_HUMAN_CRYPTO} of the environment; {@link
     * HumanCrypto#JDK} when neither is set or the value is wrong (a problem).
     */
    private HumanCrypto humanCrypto(Map<String, String> env) {
      String value = s.humanCrypto;
      cryptoSetting = name(Setting.HUMAN_CRYPTO);
      if (value == null || value.isBlank()) {
        value = env.get(Setting.HUMAN_CRYPTO.variable());
        cryptoSetting = Setting.HUMAN_CRYPTO.variable();
      }
      if (value == null || value.isBlank()) {
        return HumanCrypto.JDK;
      }
      HumanCrypto crypto = HumanCrypto.parse(value);
      if (crypto == null) {
        problems.add(
            new Problem(
                cryptoSetting,
                "must be jdk or native, not " + Problem.quote(value, 32),
                "set "
                    + cryptoSetting
                    + " to native (needs the planeguard-crypto-native module) or jdk, or unset it"
                    + " (the JDK verifies signatures by default)"));
        return HumanCrypto.JDK;
      }
      return crypto;
    }

    private @Nullable JwtVerifier jwtVerifier(@Nullable Mode mode, HumanCrypto crypto) {
      JwtVerifier.Builder b = JwtVerifier.builder().crypto(crypto).cryptoSetting(cryptoSetting);
      if (mode != null) {
        b.mode(mode);
      }
      int before = problems.size();
      boolean anyAllowed = false;
      for (int i = 0; i < s.issuers.size(); i++) {
        HumanIssuer issuer = issuer(s.issuers.get(i), i == 0 ? -1 : i - 1, mode);
        if (issuer != null) {
          b.issuer(issuer);
          anyAllowed |= mode == null || issuer.allowedIn(mode);
        }
      }
      if (problems.size() == before && !anyAllowed && mode != null && !s.issuers.isEmpty()) {
        // Every token will be WRONG_ISSUER: fail closed, and say why once. Not a refusal to start:
        // `planeguard decide` asks exactly this what-if, and a service answers 401, never 200.
        LOG.warn(
            "planeguard: {} allows no human issuer in AOS_MODE={}: every configured issuer is"
                + " limited to other modes, so every token is refused (WRONG_ISSUER); add {} to"
                + " the modes of the issuer that serves this deployment, or configure one for {}",
            name(Setting.HUMAN_MODES),
            mode,
            mode,
            mode);
      }
      if (problems.size() > before) {
        return null;
      }
      try {
        JwtVerifier jwt = b.build();
        owned.add(jwt);
        return jwt;
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
        return null;
      }
    }

    private @Nullable HumanIssuer issuer(Issuer p, int index, @Nullable Mode mode) {
      String iss = p.issuer();
      if (iss == null || iss.isBlank()) {
        problems.add(
            new Problem(
                naming.issuerName(index, Setting.HUMAN_ISSUER),
                "an issuer is configured without its exact iss",
                "set "
                    + naming.issuerName(index, Setting.HUMAN_ISSUER)
                    + " to the iss of its tokens, or remove the issuer"));
        return null;
      }
      URI jwks = null;
      if (p.jwks() != null) {
        jwks = jwksLocation(p.jwks(), naming.issuerName(index, Setting.HUMAN_JWKS), problems);
        if (jwks == null) {
          return null;
        }
      }
      Set<Mode> modes = EnumSet.noneOf(Mode.class);
      for (String value : p.modes()) {
        Mode m = Mode.parse(value);
        if (m == null) {
          problems.add(
              new Problem(
                  naming.issuerName(index, Setting.HUMAN_MODES),
                  "has unknown mode " + Text.quote(value, 32),
                  "list modes from local, test, preprod, prod, comma-separated, or unset "
                      + naming.issuerName(index, Setting.HUMAN_MODES)
                      + " for all"));
          return null;
        }
        modes.add(m);
      }
      if (mode != null
          && mode.isProductionLike()
          && !modes.isEmpty()
          && modes.stream().noneMatch(Mode::isProductionLike)) {
        // A test identity project in a production configuration: refused here, with the
        // adapter's name for the setting, rather than left to answer WRONG_ISSUER forever.
        String setting = naming.issuerName(index, Setting.HUMAN_MODES);
        problems.add(
            new Problem(
                setting,
                "limits the issuer "
                    + Text.quote(iss, 128)
                    + " to "
                    + modes.stream().map(Mode::toString).collect(Collectors.joining(", "))
                    + ", which AOS_MODE="
                    + mode
                    + " does not allow (a development or test identity provider has no place"
                    + " here)",
                "remove the issuer from this deployment's configuration, or, if it really serves "
                    + mode
                    + ", add "
                    + mode
                    + " to "
                    + setting));
        return null;
      }
      try {
        HumanIssuer.Builder b =
            p.preset() == PlaneGuardSettings.Preset.CLERK
                ? HumanIssuer.clerk(iss)
                : jwks != null ? HumanIssuer.builder(iss) : HumanIssuer.oidc(iss);
        if (jwks != null) {
          b.jwksUri(jwks);
        }
        b.audiences(p.audiences().toArray(String[]::new));
        b.authorizedParties(p.authorizedParties().toArray(String[]::new));
        if (!p.algorithms().isEmpty()) {
          b.algorithms(p.algorithms().toArray(String[]::new));
        }
        if (!p.allowedTypes().isEmpty()) {
          b.allowedTypes(p.allowedTypes().toArray(String[]::new));
        }
        if (!p.requiredClaims().isEmpty()) {
          b.requiredClaims(p.requiredClaims().toArray(String[]::new));
        }
        if (p.clockSkew() != null) {
          b.clockSkew(p.clockSkew());
        }
        if (p.maxLifetime() != null) {
          b.maxLifetime(p.maxLifetime());
        }
        if (p.tenantClaim() != null) {
          b.tenantClaim(p.tenantClaim());
        }
        if (!modes.isEmpty()) {
          b.modes(modes.toArray(Mode[]::new));
        }
        return b.build();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      } catch (IllegalArgumentException e) {
        problems.add(
            new Problem(
                naming.issuerName(index, Setting.HUMAN_ISSUER),
                String.valueOf(e.getMessage()),
                "correct the issuer's settings as the message says (see docs/human-plane.md)"));
      }
      return null;
    }

    private @Nullable KeyStore machineKeys() {
      if (s.machineKeyStore != null) {
        return s.machineKeyStore;
      }
      PlaneGuardSettings.Jdbc jdbc = s.machineJdbc;
      if (jdbc == null) {
        return keyFile(s.machineKeysFile, Setting.MACHINE_KEYS_FILE);
      }
      if (s.machineKeysFile != null) {
        problems.add(
            new Problem(
                name(Setting.MACHINE_KEYS_FILE),
                "both a key file and the JDBC key store are configured for machine keys",
                "choose one store for machine keys: remove "
                    + name(Setting.MACHINE_KEYS_FILE)
                    + ", or "
                    + name(Setting.MACHINE_JDBC)));
      }
      if (jdbc.dataSource() == null) {
        problems.add(
            new Problem(
                name(Setting.MACHINE_JDBC),
                "the JDBC key store needs one DataSource, and there is none or more than one",
                "configure the application's data source (one, or one marked primary)"));
        return null;
      }
      JdbcKeyStore.Builder b = JdbcKeyStore.builder(jdbc.dataSource());
      int before = problems.size();
      String table = jdbc.table();
      if (table != null) {
        setting(Setting.MACHINE_JDBC_TABLE, () -> b.table(table));
      }
      Duration bound = jdbc.revocationBound();
      if (bound != null) {
        setting(Setting.MACHINE_JDBC_REVOCATION_BOUND, () -> b.revocationBound(bound));
      }
      Duration timeout = jdbc.queryTimeout();
      if (timeout != null) {
        setting(Setting.MACHINE_JDBC_QUERY_TIMEOUT, () -> b.queryTimeout(timeout));
      }
      if (jdbc.listen()) {
        b.listenForChanges();
      }
      if (problems.size() > before || s.machineKeysFile != null) {
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
                name(Setting.MACHINE_JDBC_LISTEN),
                String.valueOf(e.getMessage()),
                "add the PostgreSQL JDBC driver, or turn "
                    + name(Setting.MACHINE_JDBC_LISTEN)
                    + " off"));
        return null;
      }
    }

    private void setting(Setting setting, Runnable apply) {
      try {
        apply.run();
      } catch (IllegalArgumentException e) {
        problems.add(
            new Problem(
                name(setting),
                String.valueOf(e.getMessage()),
                "set " + name(setting) + " to a value the message allows, or leave it unset"));
      }
    }

    /** Opens the audit ledger of the settings, last: nothing is written before the checks pass. */
    private @Nullable AuditLedger ledger() {
      PlaneGuardSettings.Audit a = s.audit;
      if (a == null) {
        return null;
      }
      AuditLedger.Builder b = ledgerBuilder(a);
      if (b == null) {
        return null;
      }
      if (a.flushInterval() != null) {
        b.flushInterval(a.flushInterval());
      }
      if (a.failureBound() != null) {
        b.failureBound(a.failureBound());
      }
      if (a.queueCapacity() != null) {
        b.queueCapacity(a.queueCapacity());
      }
      if (a.rotateBytes() != null) {
        b.rotateBytes(a.rotateBytes());
      }
      if (a.rotateDaily() != null) {
        b.rotateDaily(a.rotateDaily());
      }
      b.node(a.node());
      try {
        AuditLedger opened = b.open();
        owned.add(opened);
        LOG.info("planeguard audit ledger: {}", opened.describe());
        return opened;
      } catch (ConfigurationException e) {
        for (Problem p : e.problems()) {
          problems.add(new Problem(name(ledgerSetting(p.subject())), p.message(), p.fix()));
        }
      } catch (IOException | RuntimeException e) {
        problems.add(
            new Problem(
                name(Setting.AUDIT_LEDGER),
                "cannot open the audit ledger " + a.ledger() + ": " + Text.describe(e),
                "check that its directory exists and the service may write there (the file is"
                    + " created with mode 0600)"));
      }
      return null;
    }

    /**
     * The builder of the file or the table the settings name, or {@code null} (with the problem
     * listed) if they name both, neither, or a table without what it needs.
     */
    private AuditLedger.@Nullable Builder ledgerBuilder(PlaneGuardSettings.Audit a) {
      PlaneGuardSettings.AuditJdbc jdbc = a.jdbc();
      Path file = a.ledger();
      if (jdbc == null) {
        if (file == null) {
          problems.add(
              new Problem(
                  name(Setting.AUDIT_LEDGER),
                  "the audit ledger is configured with neither a file nor a table",
                  "set "
                      + name(Setting.AUDIT_LEDGER)
                      + " to the ledger's file, or "
                      + name(Setting.AUDIT_JDBC)
                      + " to true for the ledger table in the application's database"));
          return null;
        }
        return AuditLedger.file(file);
      }
      boolean usable = true;
      if (file != null) {
        usable = false;
        problems.add(
            new Problem(
                name(Setting.AUDIT_LEDGER),
                "both a ledger file ("
                    + name(Setting.AUDIT_LEDGER)
                    + ") and the ledger table ("
                    + name(Setting.AUDIT_JDBC)
                    + ") are configured",
                "choose one place for the audit ledger: remove "
                    + name(Setting.AUDIT_LEDGER)
                    + ", or turn "
                    + name(Setting.AUDIT_JDBC)
                    + " off"));
      }
      DataSource dataSource = jdbc.dataSource();
      if (dataSource == null) {
        usable = false;
        problems.add(
            new Problem(
                name(Setting.AUDIT_JDBC),
                "the audit ledger table needs one DataSource, and there is none or more than one",
                "configure the application's data source (one, or one marked primary)"));
      }
      String node = a.node();
      if (node == null || node.isBlank()) {
        usable = false;
        problems.add(
            new Problem(
                name(Setting.AUDIT_NODE),
                "the audit ledger table holds one chain per process, and this process has no node"
                    + " name",
                "set "
                    + name(Setting.AUDIT_NODE)
                    + " to a name unique to this process that stays the same across its restarts,"
                    + " such as the host or pod name ("
                    + (naming == Naming.PROPERTIES ? "${HOSTNAME}" : "$HOSTNAME")
                    + ")"));
      }
      if (!usable || dataSource == null || node == null) {
        return null;
      }
      AuditLedger.Builder b = AuditLedger.jdbc(dataSource, node);
      String table = jdbc.table();
      if (table != null) {
        b.table(table);
      }
      return b;
    }

    /** The setting behind a problem of {@link AuditLedger.Builder#open}, named by its method. */
    private static Setting ledgerSetting(String builderMethod) {
      return switch (builderMethod) {
        case "flushInterval" -> Setting.AUDIT_FLUSH_INTERVAL;
        case "failureBound" -> Setting.AUDIT_FAILURE_BOUND;
        case "queueCapacity" -> Setting.AUDIT_QUEUE_CAPACITY;
        case "rotateBytes" -> Setting.AUDIT_ROTATE_BYTES;
        case "node" -> Setting.AUDIT_NODE;
        case "table" -> Setting.AUDIT_JDBC_TABLE;
        default -> Setting.AUDIT_LEDGER;
      };
    }

    private @Nullable KeyStore keyFile(@Nullable Path file, Setting setting) {
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
        problems.add(
            new Problem(
                name(setting),
                "cannot read " + file,
                "check that the file exists and is readable by the service"));
      }
      return null;
    }

    /** The verifier of {@code store}, noting each accepted key's use where the store records it. */
    private KeyVerifier keyVerifier(KeyStore store) {
      if (s.recordKeyUsage && store instanceof KeyStore.UsageRecording recording) {
        KeyUsageRecorder recorder = KeyUsageRecorder.start(recording);
        // Closed before the stores: its last flush writes to one of them.
        owned.add(0, recorder);
        return new StoreKeyVerifier(store, Clock.systemUTC(), recorder);
      }
      return KeyVerifier.of(store);
    }

    private @Nullable Enforcer enforcer(
        Contract contract,
        Policy policy,
        @Nullable TokenVerifier tokens,
        @Nullable KeyVerifier keyVerifier,
        @Nullable KeyStore machine,
        @Nullable KeyStore sandbox,
        @Nullable Admission admission) {
      try {
        Enforcer.Builder b =
            Enforcer.builder()
                .contract(contract)
                .policy(policy)
                .machineKeyHeader(s.machineKeyHeader)
                .sandboxKeyHeader(s.sandboxKeyHeader)
                .retryAfter(s.retryAfter);
        if (tokens != null) {
          b.tokenVerifier(tokens);
        }
        if (keyVerifier != null) {
          b.machineKeyVerifier(keyVerifier);
        } else if (machine != null) {
          b.machineKeyVerifier(keyVerifier(machine));
        }
        if (sandbox != null) {
          b.sandboxKeyVerifier(keyVerifier(sandbox));
        }
        b.auditLedger(ledger);
        if (admission != null) {
          b.admission(admission);
        }
        for (Consumer<Enforcer.Builder> c : s.customizers) {
          c.accept(b);
        }
        return b.build();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
        return null;
      }
    }
  }

  /**
   * Logs, once, the ids of the usable keys older than {@code period} (never more of a key than its
   * id), and how many keys have no creation time. A store that cannot list its keys is skipped: the
   * age check never stops startup.
   */
  static void warnRotationDue(
      @Nullable KeyStore machine, @Nullable KeyStore sandbox, Duration period, Instant now) {
    List<String> due = new ArrayList<>();
    int unknown = 0;
    for (KeyStore store : new KeyStore[] {machine, sandbox}) {
      if (!(store instanceof KeyStore.Writable writable)) {
        continue;
      }
      List<KeyRecord> records;
      try {
        records = writable.records();
      } catch (RuntimeException e) {
        LOG.debug("planeguard: key ages unknown: {}", e.getClass().getSimpleName());
        continue;
      }
      for (KeyRecord r : records) {
        if (r.rotationDueAt(now, period)) {
          due.add(r.id());
        } else if (r.created() == null && r.usableAt(now)) {
          unknown++;
        }
      }
    }
    if (!due.isEmpty()) {
      LOG.warn(
          "planeguard: {} older than the rotation period ({}): {}; rotate them (planeguard keys"
              + " rotate ID)",
          due.size() == 1 ? "1 key is" : due.size() + " keys are",
          periodText(period),
          String.join(", ", due));
    }
    if (unknown > 0) {
      LOG.info(
          "planeguard: the age of {} unknown (no creation time in the key store); rotating gives"
              + " each successor one",
          unknown == 1 ? "1 key is" : unknown + " keys are");
    }
  }

  /** {@code 90d}, or {@code 36h} for a period that is not whole days. */
  static String periodText(Duration period) {
    return period.toHours() % 24 == 0 && period.toDays() > 0
        ? period.toDays() + "d"
        : period.toHours() + "h";
  }

  static void closeAll(List<AutoCloseable> resources) {
    for (AutoCloseable r : resources) {
      try {
        r.close();
      } catch (Exception e) {
        LOG.debug("planeguard: closing {} failed", r.getClass().getName());
      }
    }
  }
}
