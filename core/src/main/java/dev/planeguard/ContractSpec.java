package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.internal.Redaction;
import dev.planeguard.internal.Text;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The rules of an environment contract, as data: variable names, which database authorities and
 * roles each mode may use, where sandbox keys may be enabled, and which bypass flags exist.
 *
 * <p>{@link #standard()} is the contract planeguard was built for:
 *
 * <table class="striped">
 *   <caption>Standard contract</caption>
 *   <tr><th>AOS_MODE</th><th>DB_AUTHORITY</th><th>DB_ROLE</th><th>CUSTOMER_SANDBOX_ENABLED</th></tr>
 *   <tr><td>local</td><td>local</td><td>staging</td><td>true or false; on when unset</td></tr>
 *   <tr><td>test</td><td>neon</td><td>staging, replica</td><td>true or false; off when unset</td></tr>
 *   <tr><td>preprod</td><td>neon</td><td>staging, replica</td><td>false only</td></tr>
 *   <tr><td>prod</td><td>neon</td><td>prod, replica</td><td>false only</td></tr>
 * </table>
 *
 * <p>{@code DB_ROLE} is optional for serving (required by the migration gate). Bypass flags ({@code
 * DEV_AUTH_ENABLED}, {@code JWT_ALLOW_DEV_TOKEN}, {@code RBAC_FAIL_OPEN}, {@code
 * AOS_USE_LEGACY_AUTH} when truthy; {@code JWT_VERIFY_SIGNATURE}, {@code OIDC_VERIFY_SSL}, {@code
 * RBAC_ENFORCE}, {@code AUTH_GATEWAY_REQUIRED} when falsy; {@code JWT_DEV_SECRET}, {@code
 * DEV_DEFAULT_ROLE} when set at all; the report-only switches {@code RBAC_SHADOW_AUDIT}, {@code
 * *_SHADOW_*}, {@code *_SHADOW} and {@code *_REPORT_ONLY} when truthy), and {@code
 * ENFORCE_TENANCY=false}, are violations in preprod and prod and warnings elsewhere; code adds or
 * removes flags ({@link Builder#bypassFlag}, {@link Builder#removeBypassFlag}) and an environment
 * may add more in {@code PLANEGUARD_BYPASS_FLAGS} ({@link #bypassFlagsVariable()}). Sandbox keys
 * are never allowed in preprod or prod, whatever a custom spec says. Instances are immutable;
 * change one through {@link #toBuilder()}.
 */
public final class ContractSpec {

  /**
   * A variable that, set the wrong way, switches some verification off.
   *
   * <p>{@code name} is either a variable name or a name pattern: a {@code *} at its start, its end,
   * or both, standing for one or more characters ({@code *_SHADOW_*}, {@code *_REPORT_ONLY}). A
   * pattern matches any variable of the environment whose name fits, exactly (names are
   * case-sensitive); because it can match variables that are not switches, a pattern counts only a
   * recognised boolean of its {@link Sense} as the bypass, and cannot have {@link Sense#SET}.
   *
   * @param name the environment variable, or a name pattern
   * @param sense which value is the bypass
   */
  public record BypassFlag(String name, Sense sense) {

    /** Which value of a bypass flag switches verification off. */
    public enum Sense {
      /**
       * A truthy value ({@code DEV_AUTH_ENABLED=true}); for a variable name, any value that is not
       * falsy, since a value planeguard cannot read is not trusted.
       */
      TRUTHY,
      /**
       * A falsy value ({@code JWT_VERIFY_SIGNATURE=false}); for a variable name, any value that is
       * not truthy.
       */
      FALSY,
      /**
       * Any non-blank value ({@code JWT_DEV_SECRET}): the variable being set at all enables the
       * bypass. A blank value counts as unset, as everywhere in the contract.
       */
      SET
    }

    /** Validates the name and the sense. */
    public BypassFlag {
      requireNonNull(sense, "sense");
      if (!VARIABLE.matcher(name).matches() && !NAME_PATTERN.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "not an environment variable name or a pattern such as *_SHADOW_*: "
                + Text.quote(name, SHOWN));
      }
      if (sense == Sense.SET && name.contains("*")) {
        throw new IllegalArgumentException(
            "a name pattern cannot be a set-at-all flag: " + Text.quote(name, SHOWN));
      }
    }

    /** Whether {@link #name} is a pattern rather than one variable. */
    public boolean isPattern() {
      return name.indexOf('*') >= 0;
    }

    /** Whether this flag concerns the variable {@code variable}. */
    public boolean matches(String variable) {
      if (!isPattern()) {
        return name.equals(variable);
      }
      boolean anyBefore = name.startsWith("*");
      boolean anyAfter = name.length() > 1 && name.endsWith("*");
      String core = name.substring(anyBefore ? 1 : 0, name.length() - (anyAfter ? 1 : 0));
      if (anyBefore && anyAfter) {
        for (int at = variable.indexOf(core, 1); at > 0; at = variable.indexOf(core, at + 1)) {
          if (at + core.length() < variable.length()) {
            return true;
          }
        }
        return false;
      }
      if (anyBefore) {
        return variable.length() > core.length() && variable.endsWith(core);
      }
      return variable.length() > core.length() && variable.startsWith(core);
    }

    /**
     * Parses {@code NAME:truthy} (a truthy value is the bypass), {@code NAME:falsy} (a falsy value
     * is) or {@code NAME:set} (any value is), the syntax of {@code PLANEGUARD_BYPASS_FLAGS}; {@code
     * NAME} may be a pattern ({@code *_SHADOW_*:truthy}). Surrounding whitespace is ignored; the
     * sense is case-insensitive.
     *
     * @throws IllegalArgumentException if {@code declaration} has another form
     */
    public static BypassFlag parse(String declaration) {
      String d = declaration.strip();
      int colon = d.lastIndexOf(':');
      if (colon > 0) {
        String sense = d.substring(colon + 1).strip().toUpperCase(Locale.ROOT);
        String name = d.substring(0, colon).strip();
        boolean nameOk = VARIABLE.matcher(name).matches() || NAME_PATTERN.matcher(name).matches();
        if (nameOk
            && Set.of("TRUTHY", "FALSY", "SET").contains(sense)
            && !(sense.equals("SET") && name.contains("*"))) {
          return new BypassFlag(name, Sense.valueOf(sense));
        }
      }
      throw new IllegalArgumentException(
          "not NAME:truthy, NAME:falsy or NAME:set: " + Text.quote(declaration, SHOWN));
    }

    /**
     * {@code NAME:truthy}, {@code NAME:falsy} or {@code NAME:set}, the form {@link #parse} reads.
     */
    @Override
    public String toString() {
      return name + ":" + sense.name().toLowerCase(Locale.ROOT);
    }
  }

  /** The mode variable of the standard contract. */
  public static final String MODE_VARIABLE = "AOS_MODE";

  /** The database authority variable of the standard contract. */
  public static final String AUTHORITY_VARIABLE = "DB_AUTHORITY";

  /** The database role variable of the standard contract. */
  public static final String ROLE_VARIABLE = "DB_ROLE";

  /** The customer sandbox variable of the standard contract. */
  public static final String SANDBOX_VARIABLE = "CUSTOMER_SANDBOX_ENABLED";

  /** The variable confirming production migrations. */
  public static final String CONFIRM_VARIABLE = "CONFIRM_PROD_MIGRATIONS";

  /** The variable renaming the tenant header. */
  public static final String TENANT_HEADER_VARIABLE = "TENANT_HEADER";

  /** The variable turning the tenant check off (refused in preprod and prod). */
  public static final String ENFORCE_TENANCY_VARIABLE = "ENFORCE_TENANCY";

  /** The variable declaring further bypass flags. */
  public static final String BYPASS_FLAGS_VARIABLE = "PLANEGUARD_BYPASS_FLAGS";

  /** The tenant header when {@value #TENANT_HEADER_VARIABLE} is unset. */
  public static final String DEFAULT_TENANT_HEADER = "X-AOS-Tenant";

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  // A '*' at the start, the end or both, around at least two name characters.
  private static final Pattern NAME_PATTERN =
      Pattern.compile("\\*[A-Za-z0-9_]{2,126}\\*?|[A-Za-z0-9_]{2,126}\\*");
  private static final Set<String> TRUTHY = Set.of("true", "1", "yes", "on");
  private static final Set<String> FALSY = Set.of("false", "0", "no", "off");
  private static final int SHOWN = 40;

  private static final ContractSpec STANDARD = builder().build();

  private final String modeVariable;
  private final String authorityVariable;
  private final String roleVariable;
  private final String sandboxVariable;
  private final String confirmVariable;
  private final String tenantHeaderVariable;
  private final String enforceTenancyVariable;
  private final String bypassFlagsVariable;
  private final Map<Mode, Set<DbAuthority>> authorities;
  private final Map<Mode, Set<DbRole>> roles;
  private final Set<Mode> sandboxModes;
  private final Set<Mode> sandboxOnByDefault;
  private final List<BypassFlag> bypassFlags;
  private final String defaultTenantHeader;

  private ContractSpec(Builder b) {
    this.modeVariable = b.modeVariable;
    this.authorityVariable = b.authorityVariable;
    this.roleVariable = b.roleVariable;
    this.sandboxVariable = b.sandboxVariable;
    this.confirmVariable = b.confirmVariable;
    this.tenantHeaderVariable = b.tenantHeaderVariable;
    this.enforceTenancyVariable = b.enforceTenancyVariable;
    this.bypassFlagsVariable = b.bypassFlagsVariable;
    this.authorities = freeze(b.authorities);
    this.roles = freeze(b.roles);
    this.sandboxModes = Collections.unmodifiableSet(EnumSet.copyOf(b.sandboxModes));
    this.sandboxOnByDefault =
        b.sandboxOnByDefault.isEmpty()
            ? Set.of()
            : Collections.unmodifiableSet(EnumSet.copyOf(b.sandboxOnByDefault));
    this.bypassFlags = List.copyOf(b.bypassFlags.values());
    this.defaultTenantHeader = b.defaultTenantHeader;
  }

  /** The variable renaming the tenant header. */
  public String tenantHeaderVariable() {
    return tenantHeaderVariable;
  }

  /** The variable turning the tenant check off. */
  public String enforceTenancyVariable() {
    return enforceTenancyVariable;
  }

  /**
   * Every variable a contract of this spec reads from {@code env}: its own, each bypass flag, the
   * flags {@code env} declares in {@link #bypassFlagsVariable()}, and the variables of {@code env}
   * that a name pattern ({@code *_SHADOW_*}) matches.
   */
  public Set<String> variables(Map<String, String> env) {
    Set<String> names = new LinkedHashSet<>();
    names.add(modeVariable);
    names.add(authorityVariable);
    names.add(roleVariable);
    names.add(sandboxVariable);
    names.add(confirmVariable);
    names.add(tenantHeaderVariable);
    names.add(enforceTenancyVariable);
    names.add(bypassFlagsVariable);
    List<BypassFlag> flags = new ArrayList<>(bypassFlags);
    String declared = env.get(bypassFlagsVariable);
    if (declared != null) {
      for (String entry : declared.strip().split("[,\\s]+")) {
        try {
          flags.add(BypassFlag.parse(entry));
        } catch (IllegalArgumentException e) {
          // parse reports it; there is no variable to read
        }
      }
    }
    for (BypassFlag flag : flags) {
      if (flag.isPattern()) {
        env.keySet().stream().filter(flag::matches).sorted().forEach(names::add);
      } else {
        names.add(flag.name());
      }
    }
    return names;
  }

  /** The standard contract (see the class description). */
  public static ContractSpec standard() {
    return STANDARD;
  }

  /** A builder preloaded with the standard contract. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder preloaded with this spec. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The variable holding the mode; {@code AOS_MODE} by default. */
  public String modeVariable() {
    return modeVariable;
  }

  /** The variable holding the database authority; {@code DB_AUTHORITY} by default. */
  public String authorityVariable() {
    return authorityVariable;
  }

  /** The variable holding the database role; {@code DB_ROLE} by default. */
  public String roleVariable() {
    return roleVariable;
  }

  /** The variable enabling sandbox keys; {@code CUSTOMER_SANDBOX_ENABLED} by default. */
  public String sandboxVariable() {
    return sandboxVariable;
  }

  /**
   * The variable confirming production migrations; {@code CONFIRM_PROD_MIGRATIONS} by default. Read
   * only by the {@link MigrationGate}.
   */
  public String confirmVariable() {
    return confirmVariable;
  }

  /** Database authorities each mode may use. */
  public Map<Mode, Set<DbAuthority>> authorities() {
    return authorities;
  }

  /** Database roles each mode may use. */
  public Map<Mode, Set<DbRole>> roles() {
    return roles;
  }

  /** Modes in which sandbox keys may be enabled. Never contains preprod or prod. */
  public Set<Mode> sandboxModes() {
    return sandboxModes;
  }

  /**
   * The bypass flags declared in code, in declaration order. {@link #parse} also checks those the
   * environment adds through {@link #bypassFlagsVariable()}.
   */
  public List<BypassFlag> bypassFlags() {
    return bypassFlags;
  }

  /**
   * The variable through which an environment declares more bypass flags; {@code
   * PLANEGUARD_BYPASS_FLAGS} by default. Its value lists {@code NAME:truthy} or {@code NAME:falsy}
   * entries separated by commas or whitespace, for example {@code
   * SKIP_AUTH:truthy,VERIFY_TLS:falsy}. The environment can only add flags: removing one, or
   * changing which value is the bypass, takes code ({@link Builder#removeBypassFlag}), so the
   * environment being checked cannot switch its own check off.
   */
  public String bypassFlagsVariable() {
    return bypassFlagsVariable;
  }

  /** Reads the contract from the process environment. */
  public Contract fromEnvironment() {
    return parse(System.getenv());
  }

  /**
   * Reads a contract from {@code env}. A variable set to a blank value counts as unset.
   *
   * @throws ConfigurationException listing every violation, each with the variable and a fix
   */
  public Contract parse(Map<String, String> env) {
    requireNonNull(env, "env");
    List<Problem> violations = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();

    Mode mode = null;
    String modeValue = get(env, modeVariable);
    String modeChoices = join(EnumSet.allOf(Mode.class));
    if (modeValue == null) {
      violations.add(
          new Problem(
              modeVariable, "is not set", "set " + modeVariable + " to one of " + modeChoices));
    } else if ((mode = Mode.parse(modeValue)) == null) {
      violations.add(
          new Problem(
              modeVariable,
              "has unknown value " + Text.quote(modeValue, SHOWN),
              "set " + modeVariable + " to one of " + modeChoices));
    }

    DbAuthority authority = readAuthority(env, mode, violations);
    DbRole role = readRole(env, mode, violations);
    boolean sandboxAllowed = readSandbox(env, mode, violations);
    boolean enforceTenancy = readEnforceTenancy(env, mode, violations, warnings);
    String tenantHeader = readTenantHeader(env, violations);
    readBypassFlags(env, mode, effectiveBypassFlags(env, violations), violations, warnings);

    if (!violations.isEmpty()) {
      throw new ConfigurationException("Invalid environment contract", violations);
    }
    return new Contract(
        requireNonNull(mode),
        requireNonNull(authority),
        role,
        sandboxAllowed,
        enforceTenancy,
        tenantHeader,
        warnings);
  }

  private @Nullable DbAuthority readAuthority(
      Map<String, String> env, @Nullable Mode mode, List<Problem> violations) {
    Set<DbAuthority> known = new LinkedHashSet<>();
    authorities.values().forEach(known::addAll);
    Set<DbAuthority> allowed = mode == null ? known : authorities.getOrDefault(mode, Set.of());
    String value = get(env, authorityVariable);
    if (value == null) {
      violations.add(
          new Problem(
              authorityVariable,
              "is not set",
              "set " + authorityVariable + " to " + choice(allowed) + forMode(mode)));
      return null;
    }
    DbAuthority authority =
        known.stream()
            .filter(a -> a.name().equals(value.trim().toLowerCase(Locale.ROOT)))
            .findFirst()
            .orElse(null);
    if (authority == null) {
      violations.add(
          new Problem(
              authorityVariable,
              "has unknown value " + Text.quote(value, SHOWN),
              "set " + authorityVariable + " to " + choice(allowed) + forMode(mode)));
      return null;
    }
    if (mode != null && !allowed.contains(authority)) {
      // An invalid pair: either side may be the mistake, so each gets its own problem and fix.
      violations.add(
          new Problem(
              modeVariable,
              modeVariable
                  + "="
                  + mode
                  + " does not run with "
                  + authorityVariable
                  + "="
                  + authority,
              modesFor(authority).isEmpty()
                  ? "correct " + authorityVariable
                  : "if this really is a "
                      + authority
                      + " database, "
                      + modeVariable
                      + " must be "
                      + choice(modesFor(authority))));
      violations.add(
          new Problem(
              authorityVariable,
              authorityVariable
                  + "="
                  + authority
                  + " is not a valid pair with "
                  + modeVariable
                  + "="
                  + mode,
              "set " + authorityVariable + " to " + choice(allowed) + forMode(mode)));
    }
    return authority;
  }

  private @Nullable DbRole readRole(
      Map<String, String> env, @Nullable Mode mode, List<Problem> violations) {
    String value = get(env, roleVariable);
    if (value == null) {
      return null; // optional for serving; the migration gate requires it
    }
    Set<DbRole> allowed =
        mode == null ? EnumSet.allOf(DbRole.class) : roles.getOrDefault(mode, Set.of());
    DbRole role = DbRole.parse(value);
    if (role == null) {
      violations.add(
          new Problem(
              roleVariable,
              "has unknown value " + Text.quote(value, SHOWN),
              "set " + roleVariable + " to " + choice(allowed) + forMode(mode) + ", or remove it"));
      return null;
    }
    if (mode != null && !allowed.contains(role)) {
      String why = role == DbRole.PROD ? " (no production database outside prod)" : "";
      violations.add(
          new Problem(
              roleVariable,
              roleVariable + "=" + role + " is not allowed with " + modeVariable + "=" + mode + why,
              "set " + roleVariable + " to " + choice(allowed) + forMode(mode) + ", or remove it"));
    }
    return role;
  }

  private boolean readSandbox(
      Map<String, String> env, @Nullable Mode mode, List<Problem> violations) {
    String value = get(env, sandboxVariable);
    Boolean enabled = null;
    if (value != null) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.equals("true")) {
        enabled = Boolean.TRUE;
      } else if (v.equals("false")) {
        enabled = Boolean.FALSE;
      } else {
        violations.add(
            new Problem(
                sandboxVariable,
                "has unknown value " + Text.quote(value, SHOWN),
                "set " + sandboxVariable + " to true or false"));
        return false;
      }
    }
    if (mode == null) {
      return false;
    }
    if (Boolean.TRUE.equals(enabled) && !sandboxModes.contains(mode)) {
      violations.add(
          new Problem(
              sandboxVariable,
              "sandbox auth is forbidden with " + modeVariable + "=" + mode,
              "set " + sandboxVariable + "=false or remove it"));
      return false;
    }
    if (enabled == null) {
      return sandboxOnByDefault.contains(mode);
    }
    return enabled;
  }

  // ENFORCE_TENANCY is a bypass flag of its own: false is allowed (and meant) in local and test,
  // with a warning, and refused where real tenants are.
  private boolean readEnforceTenancy(
      Map<String, String> env,
      @Nullable Mode mode,
      List<Problem> violations,
      List<Problem> warnings) {
    String value = get(env, enforceTenancyVariable);
    if (value == null) {
      return true;
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    if (v.equals("true")) {
      return true;
    }
    if (v.equals("false")) {
      bypass(
          enforceTenancyVariable,
          enforceTenancyVariable + "=false switches the tenant check off",
          "set " + enforceTenancyVariable + "=true or remove it (true when unset)",
          mode,
          violations,
          warnings);
      return false;
    }
    violations.add(
        new Problem(
            enforceTenancyVariable,
            "has unknown value " + Text.quote(value, SHOWN),
            "set " + enforceTenancyVariable + " to true or false (true when unset)"));
    return true;
  }

  private String readTenantHeader(Map<String, String> env, List<Problem> violations) {
    String value = get(env, tenantHeaderVariable);
    if (value == null) {
      return defaultTenantHeader;
    }
    String v = value.trim();
    if (!PlaneGuardSettings.isHeaderName(v)) {
      violations.add(
          new Problem(
              tenantHeaderVariable,
              "is not a valid HTTP header name: " + Text.quote(value, SHOWN),
              "set " + tenantHeaderVariable + " to a header name such as " + defaultTenantHeader));
      return defaultTenantHeader;
    }
    return v;
  }

  /** The flags declared in code, then those the environment adds through its variable. */
  private List<BypassFlag> effectiveBypassFlags(Map<String, String> env, List<Problem> violations) {
    String value = get(env, bypassFlagsVariable);
    if (value == null) {
      return bypassFlags;
    }
    Map<String, BypassFlag> flags = new LinkedHashMap<>();
    bypassFlags.forEach(f -> flags.put(f.name(), f));
    for (String entry : value.strip().split("[,\\s]+")) {
      if (entry.isEmpty()) {
        continue;
      }
      BypassFlag flag;
      try {
        flag = BypassFlag.parse(entry);
      } catch (IllegalArgumentException e) {
        violations.add(
            new Problem(
                bypassFlagsVariable,
                "entry " + Text.quote(entry, SHOWN) + " is not NAME:truthy, NAME:falsy or NAME:set",
                "list entries such as SKIP_AUTH:truthy,VERIFY_TLS:falsy,DEV_TOKEN:set, or unset "
                    + bypassFlagsVariable));
        continue;
      }
      BypassFlag declared = flags.putIfAbsent(flag.name(), flag);
      if (declared != null && declared.sense() != flag.sense()) {
        violations.add(
            new Problem(
                bypassFlagsVariable,
                "entry " + flag + " contradicts the declared bypass flag " + declared,
                "remove the entry: the environment can add bypass flags, not change them"));
      }
    }
    return List.copyOf(flags.values());
  }

  private void readBypassFlags(
      Map<String, String> env,
      @Nullable Mode mode,
      List<BypassFlag> flags,
      List<Problem> violations,
      List<Problem> warnings) {
    Set<String> reported = new LinkedHashSet<>();
    for (BypassFlag flag : flags) {
      List<String> names =
          flag.isPattern()
              ? env.keySet().stream().filter(flag::matches).sorted().toList()
              : List.of(flag.name());
      for (String name : names) {
        String value = get(env, name);
        String message = value == null ? null : bypassMessage(flag, name, value);
        if (message != null && reported.add(name)) {
          bypass(
              name,
              message,
              "remove " + name + " from the environment",
              mode,
              violations,
              warnings);
        }
      }
    }
  }

  /**
   * Why {@code name=value} switches verification off under {@code flag}, or null if it does not.
   */
  private static @Nullable String bypassMessage(BypassFlag flag, String name, String value) {
    if (flag.sense() == BypassFlag.Sense.SET) {
      // The value may be a secret (JWT_DEV_SECRET): it is never shown.
      return name + " is set, which enables a development bypass";
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    boolean truthy = TRUTHY.contains(v);
    boolean falsy = FALSY.contains(v);
    boolean bypass = flag.sense() == BypassFlag.Sense.TRUTHY ? truthy : falsy;
    String shown = name + "=" + Text.escape(Redaction.redact(value), SHOWN);
    if (flag.isPattern()) {
      // A pattern can match a variable that is no switch at all: only a clear yes counts.
      return bypass ? shown + " turns enforcement into report-only (" + flag.name() + ")" : null;
    }
    if (bypass) {
      return shown + " switches verification off";
    }
    boolean safe = flag.sense() == BypassFlag.Sense.TRUTHY ? falsy : truthy;
    return safe
        ? null
        : shown + " is not a recognised boolean and counts as switching verification off";
  }

  private void bypass(
      String name,
      String message,
      String fix,
      @Nullable Mode mode,
      List<Problem> violations,
      List<Problem> warnings) {
    if (mode == null || mode.isProductionLike()) {
      violations.add(
          new Problem(
              name,
              message + (mode == null ? "" : "; forbidden with " + modeVariable + "=" + mode),
              fix));
    } else {
      warnings.add(
          new Problem(
              name,
              message
                  + "; tolerated with "
                  + modeVariable
                  + "="
                  + mode
                  + " but refused in preprod and prod",
              fix));
    }
  }

  private Set<Mode> modesFor(DbAuthority authority) {
    Set<Mode> modes = EnumSet.noneOf(Mode.class);
    authorities.forEach(
        (m, set) -> {
          if (set.contains(authority)) {
            modes.add(m);
          }
        });
    return modes;
  }

  private String forMode(@Nullable Mode mode) {
    return mode == null ? "" : " (allowed with " + modeVariable + "=" + mode + ")";
  }

  private static @Nullable String get(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value;
  }

  private static String join(Set<?> values) {
    return values.stream().map(Object::toString).collect(Collectors.joining(", "));
  }

  private static String choice(Set<?> values) {
    return values.size() == 1 ? join(values) : "one of " + join(values);
  }

  private static <K extends Enum<K>, V> Map<K, Set<V>> freeze(Map<K, Set<V>> map) {
    Map<K, Set<V>> copy = new EnumMap<>(map);
    copy.replaceAll((k, v) -> Collections.unmodifiableSet(new LinkedHashSet<>(v)));
    return Collections.unmodifiableMap(copy);
  }

  private static void requireVariableName(String name) {
    if (!VARIABLE.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "not an environment variable name: " + Text.quote(name, SHOWN));
    }
  }

  @Override
  public String toString() {
    return "ContractSpec{authorities="
        + authorities
        + ", roles="
        + roles
        + ", sandboxModes="
        + sandboxModes
        + ", bypassFlags="
        + bypassFlags
        + "}";
  }

  /** Builds a {@link ContractSpec}; starts from the standard contract. */
  public static final class Builder {
    private String modeVariable = MODE_VARIABLE;
    private String authorityVariable = AUTHORITY_VARIABLE;
    private String roleVariable = ROLE_VARIABLE;
    private String sandboxVariable = SANDBOX_VARIABLE;
    private String confirmVariable = CONFIRM_VARIABLE;
    private String tenantHeaderVariable = TENANT_HEADER_VARIABLE;
    private String enforceTenancyVariable = ENFORCE_TENANCY_VARIABLE;
    private String bypassFlagsVariable = BYPASS_FLAGS_VARIABLE;
    private String defaultTenantHeader = DEFAULT_TENANT_HEADER;
    private final Map<Mode, Set<DbAuthority>> authorities = new EnumMap<>(Mode.class);
    private final Map<Mode, Set<DbRole>> roles = new EnumMap<>(Mode.class);
    private final Set<Mode> sandboxModes = EnumSet.of(Mode.LOCAL, Mode.TEST);
    private final Set<Mode> sandboxOnByDefault = EnumSet.of(Mode.LOCAL);
    private final Map<String, BypassFlag> bypassFlags = new LinkedHashMap<>();

    private Builder() {
      authorities.put(Mode.LOCAL, Set.of(DbAuthority.LOCAL));
      authorities.put(Mode.TEST, Set.of(DbAuthority.NEON));
      authorities.put(Mode.PREPROD, Set.of(DbAuthority.NEON));
      authorities.put(Mode.PROD, Set.of(DbAuthority.NEON));
      roles.put(Mode.LOCAL, EnumSet.of(DbRole.STAGING));
      roles.put(Mode.TEST, EnumSet.of(DbRole.STAGING, DbRole.REPLICA));
      roles.put(Mode.PREPROD, EnumSet.of(DbRole.STAGING, DbRole.REPLICA));
      roles.put(Mode.PROD, EnumSet.of(DbRole.PROD, DbRole.REPLICA));
      for (String flag :
          List.of(
              "DEV_AUTH_ENABLED:truthy",
              "JWT_ALLOW_DEV_TOKEN:truthy",
              "RBAC_FAIL_OPEN:truthy",
              "AOS_USE_LEGACY_AUTH:truthy",
              "JWT_VERIFY_SIGNATURE:falsy",
              "OIDC_VERIFY_SSL:falsy",
              "RBAC_ENFORCE:falsy",
              "AUTH_GATEWAY_REQUIRED:falsy",
              "JWT_DEV_SECRET:set",
              "DEV_DEFAULT_ROLE:set",
              "RBAC_SHADOW_AUDIT:truthy",
              "*_SHADOW_*:truthy",
              "*_SHADOW:truthy",
              "*_REPORT_ONLY:truthy")) {
        BypassFlag bypass = BypassFlag.parse(flag);
        bypassFlags.put(bypass.name(), bypass);
      }
    }

    private Builder(ContractSpec spec) {
      modeVariable = spec.modeVariable;
      authorityVariable = spec.authorityVariable;
      roleVariable = spec.roleVariable;
      sandboxVariable = spec.sandboxVariable;
      confirmVariable = spec.confirmVariable;
      tenantHeaderVariable = spec.tenantHeaderVariable;
      enforceTenancyVariable = spec.enforceTenancyVariable;
      bypassFlagsVariable = spec.bypassFlagsVariable;
      defaultTenantHeader = spec.defaultTenantHeader;
      authorities.putAll(spec.authorities);
      roles.putAll(spec.roles);
      sandboxModes.clear();
      sandboxModes.addAll(spec.sandboxModes);
      sandboxOnByDefault.clear();
      sandboxOnByDefault.addAll(spec.sandboxOnByDefault);
      spec.bypassFlags.forEach(f -> bypassFlags.put(f.name(), f));
    }

    /** Renames the mode variable ({@code AOS_MODE}). */
    public Builder modeVariable(String name) {
      requireVariableName(name);
      this.modeVariable = name;
      return this;
    }

    /** Renames the database authority variable ({@code DB_AUTHORITY}). */
    public Builder authorityVariable(String name) {
      requireVariableName(name);
      this.authorityVariable = name;
      return this;
    }

    /** Renames the database role variable ({@code DB_ROLE}). */
    public Builder roleVariable(String name) {
      requireVariableName(name);
      this.roleVariable = name;
      return this;
    }

    /** Renames the sandbox variable ({@code CUSTOMER_SANDBOX_ENABLED}). */
    public Builder sandboxVariable(String name) {
      requireVariableName(name);
      this.sandboxVariable = name;
      return this;
    }

    /** Renames the production migration confirmation variable ({@code CONFIRM_PROD_MIGRATIONS}). */
    public Builder confirmVariable(String name) {
      requireVariableName(name);
      this.confirmVariable = name;
      return this;
    }

    /** Renames the tenant header variable ({@code TENANT_HEADER}). */
    public Builder tenantHeaderVariable(String name) {
      requireVariableName(name);
      this.tenantHeaderVariable = name;
      return this;
    }

    /** Renames the tenancy enforcement variable ({@code ENFORCE_TENANCY}). */
    public Builder enforceTenancyVariable(String name) {
      requireVariableName(name);
      this.enforceTenancyVariable = name;
      return this;
    }

    /** Renames the variable declaring more bypass flags ({@code PLANEGUARD_BYPASS_FLAGS}). */
    public Builder bypassFlagsVariable(String name) {
      requireVariableName(name);
      this.bypassFlagsVariable = name;
      return this;
    }

    /** Sets the database authorities a mode may use (at least one). */
    public Builder authorities(Mode mode, Set<DbAuthority> allowed) {
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("a mode needs at least one database authority");
      }
      authorities.put(mode, Set.copyOf(allowed));
      return this;
    }

    /** Sets the database roles a mode may use (at least one). */
    public Builder roles(Mode mode, Set<DbRole> allowed) {
      if (allowed.isEmpty()) {
        throw new IllegalArgumentException("a mode needs at least one database role");
      }
      if (mode != Mode.PROD && allowed.contains(DbRole.PROD)) {
        throw new IllegalArgumentException(
            "DB_ROLE=prod is only for AOS_MODE=prod: no production database for testing");
      }
      roles.put(mode, EnumSet.copyOf(allowed));
      return this;
    }

    /**
     * Sets the modes in which sandbox keys may be enabled.
     *
     * @throws IllegalArgumentException if it includes preprod or prod
     */
    public Builder sandboxModes(Set<Mode> modes) {
      for (Mode mode : modes) {
        if (mode.isProductionLike()) {
          throw new IllegalArgumentException("sandbox keys are never allowed in " + mode);
        }
      }
      sandboxModes.clear();
      sandboxModes.addAll(modes);
      sandboxOnByDefault.retainAll(modes);
      return this;
    }

    /** Adds a bypass flag, or replaces the one with the same name. */
    public Builder bypassFlag(BypassFlag flag) {
      bypassFlags.put(flag.name(), flag);
      return this;
    }

    /** Removes the bypass flag with this name, if any. */
    public Builder removeBypassFlag(String name) {
      bypassFlags.remove(name);
      return this;
    }

    /** Builds the spec. */
    public ContractSpec build() {
      for (Mode mode : Mode.values()) {
        if (!authorities.containsKey(mode) || !roles.containsKey(mode)) {
          throw new IllegalStateException("every mode needs authorities and roles: " + mode);
        }
      }
      return new ContractSpec(this);
    }
  }
}
