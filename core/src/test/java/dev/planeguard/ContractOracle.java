package dev.planeguard;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An independent statement of the environment contract, written from the design tables and not from
 * {@link ContractSpec}: which variables an environment must be refused for, and what it allows. The
 * exhaustive tests compare the implementation against it on every combination.
 */
public final class ContractOracle {

  /** Values tried for each variable; {@code null} means unset. */
  public static final List<String> MODES =
      values("local", "test", "preprod", "prod", " Prod ", "LOCAL", "staging", "", null);

  public static final List<String> AUTHORITIES = values("local", "neon", "NEON", "aws", null);
  public static final List<String> ROLES =
      values("staging", "prod", "replica", "Replica", "primary", null);
  public static final List<String> SANDBOX = values("true", "false", "TRUE", "yes", null);

  /** Bypass settings tried: none, each kind of unsafe value, and a safe one. */
  public static final List<Map<String, String>> BYPASS =
      List.of(
          Map.of(),
          Map.of("DEV_AUTH_ENABLED", "true"),
          Map.of("JWT_VERIFY_SIGNATURE", "false"),
          Map.of("RBAC_FAIL_OPEN", "maybe"),
          Map.of(
              "JWT_VERIFY_SIGNATURE", "true", "OIDC_VERIFY_SSL", "1", "JWT_ALLOW_DEV_TOKEN", "no"),
          Map.of("AOS_USE_LEGACY_AUTH", "Yes", "RBAC_ENFORCE", "true"),
          Map.of("RBAC_ENFORCE", "off", "AUTH_GATEWAY_REQUIRED", "on"),
          Map.of("AUTH_GATEWAY_REQUIRED", "0"),
          Map.of("ENFORCE_TENANCY", "false"),
          Map.of("ENFORCE_TENANCY", " TRUE "),
          Map.of("ENFORCE_TENANCY", "sometimes"),
          Map.of("JWT_DEV_SECRET", "dev-only-secret", "DEV_DEFAULT_ROLE", "  "),
          Map.of("DEV_DEFAULT_ROLE", "false"),
          Map.of("RBAC_SHADOW_AUDIT", "on", "BILLING_REPORT_ONLY", "no"),
          Map.of("BILLING_SHADOW_MODE", "1", "AUTHZ_SHADOW", "false"),
          Map.of("AUTHZ_SHADOW", "TRUE", "FEATURE_SHADOW_PATH", "/var/shadow"),
          Map.of("BILLING_REPORT_ONLY", "yes", "SHADOW_MODE", "true", "X_SHADOW_", "true"));

  private static final Map<String, Set<String>> AUTHORITY_BY_MODE =
      Map.of(
          "local", Set.of("local"),
          "test", Set.of("neon"),
          "preprod", Set.of("neon"),
          "prod", Set.of("neon"));
  private static final Map<String, Set<String>> ROLES_BY_MODE =
      Map.of(
          "local", Set.of("staging"),
          "test", Set.of("staging", "replica"),
          "preprod", Set.of("staging", "replica"),
          "prod", Set.of("prod", "replica"));
  private static final Set<String> SANDBOX_MODES = Set.of("local", "test");
  private static final Set<String> TRUE_WORDS = Set.of("true", "1", "yes", "on");
  private static final Set<String> FALSE_WORDS = Set.of("false", "0", "no", "off");

  /** Flags of one variable: which value is the bypass ("truthy", "falsy", or "set" for any). */
  private static final Map<String, String> FLAGS =
      Map.ofEntries(
          Map.entry("DEV_AUTH_ENABLED", "truthy"),
          Map.entry("JWT_ALLOW_DEV_TOKEN", "truthy"),
          Map.entry("RBAC_FAIL_OPEN", "truthy"),
          Map.entry("AOS_USE_LEGACY_AUTH", "truthy"),
          Map.entry("RBAC_SHADOW_AUDIT", "truthy"),
          Map.entry("JWT_VERIFY_SIGNATURE", "falsy"),
          Map.entry("OIDC_VERIFY_SSL", "falsy"),
          Map.entry("RBAC_ENFORCE", "falsy"),
          Map.entry("AUTH_GATEWAY_REQUIRED", "falsy"),
          Map.entry("JWT_DEV_SECRET", "set"),
          Map.entry("DEV_DEFAULT_ROLE", "set"));

  /**
   * Report-only switches by name: something before and after {@code _SHADOW_}, or something before
   * a final {@code _SHADOW} or {@code _REPORT_ONLY}. Only a truthy value counts for these.
   */
  private static final java.util.regex.Pattern REPORT_ONLY =
      java.util.regex.Pattern.compile(".+_SHADOW_.+|.+_SHADOW|.+_REPORT_ONLY");

  private ContractOracle() {}

  /** One environment to try. */
  public record Case(
      String mode, String authority, String role, String sandbox, Map<String, String> bypass) {

    /** The environment map. */
    public Map<String, String> env() {
      Map<String, String> env = new LinkedHashMap<>();
      put(env, "AOS_MODE", mode);
      put(env, "DB_AUTHORITY", authority);
      put(env, "DB_ROLE", role);
      put(env, "CUSTOMER_SANDBOX_ENABLED", sandbox);
      env.putAll(bypass);
      return env;
    }

    /** The variables a correct implementation names as violations; empty if valid. */
    public Set<String> expectedViolations() {
      Set<String> v = new LinkedHashSet<>();
      String m = norm(mode);
      boolean modeKnown = m != null && AUTHORITY_BY_MODE.containsKey(m);
      if (!modeKnown) {
        v.add("AOS_MODE");
      }
      String a = norm(authority);
      if (a == null || !Set.of("local", "neon").contains(a)) {
        v.add("DB_AUTHORITY");
      } else if (modeKnown && !AUTHORITY_BY_MODE.get(m).contains(a)) {
        v.add("AOS_MODE");
        v.add("DB_AUTHORITY");
      }
      String r = norm(role);
      if (r != null) {
        if (!Set.of("staging", "prod", "replica").contains(r)) {
          v.add("DB_ROLE");
        } else if (modeKnown && !ROLES_BY_MODE.get(m).contains(r)) {
          v.add("DB_ROLE");
        }
      }
      String s = norm(sandbox);
      if (s != null) {
        if (!s.equals("true") && !s.equals("false")) {
          v.add("CUSTOMER_SANDBOX_ENABLED");
        } else if (modeKnown && s.equals("true") && !SANDBOX_MODES.contains(m)) {
          v.add("CUSTOMER_SANDBOX_ENABLED");
        }
      }
      boolean productionLike = !modeKnown || m.equals("preprod") || m.equals("prod");
      for (Map.Entry<String, String> flag : bypass.entrySet()) {
        if (unsafe(flag.getKey(), flag.getValue()) && productionLike) {
          v.add(flag.getKey());
        }
      }
      // ENFORCE_TENANCY reads true or false only; anything else is wrong in every mode.
      String tenancy = norm(bypass.get("ENFORCE_TENANCY"));
      if (tenancy != null && !tenancy.equals("true") && !tenancy.equals("false")) {
        v.add("ENFORCE_TENANCY");
      }
      return v;
    }

    /** Bypass flags a correct implementation warns about (valid contracts only). */
    public Set<String> expectedWarnings() {
      Set<String> w = new LinkedHashSet<>();
      for (Map.Entry<String, String> flag : bypass.entrySet()) {
        if (unsafe(flag.getKey(), flag.getValue())) {
          w.add(flag.getKey());
        }
      }
      return w;
    }

    /** Whether sandbox keys are allowed, for a valid contract. */
    public boolean expectedSandboxAllowed() {
      String m = norm(mode);
      String s = norm(sandbox);
      return switch (m) {
        case "local" -> !"false".equals(s);
        case "test" -> "true".equals(s);
        default -> false;
      };
    }

    @Override
    public String toString() {
      return env().toString();
    }
  }

  /** Every combination of the values above. */
  public static List<Case> allCases() {
    List<Case> cases = new ArrayList<>();
    for (String mode : MODES) {
      for (String authority : AUTHORITIES) {
        for (String role : ROLES) {
          for (String sandbox : SANDBOX) {
            for (Map<String, String> bypass : BYPASS) {
              cases.add(new Case(mode, authority, role, sandbox, bypass));
            }
          }
        }
      }
    }
    return cases;
  }

  private static boolean unsafe(String flag, String value) {
    String v = norm(value);
    if (v == null) {
      return false; // blank is unset
    }
    if (flag.equals("ENFORCE_TENANCY")) {
      return v.equals("false");
    }
    String sense = FLAGS.get(flag);
    if (sense == null) {
      return REPORT_ONLY.matcher(flag).matches() && TRUE_WORDS.contains(v);
    }
    return switch (sense) {
      case "truthy" -> !FALSE_WORDS.contains(v);
      case "falsy" -> !TRUE_WORDS.contains(v);
      default -> true;
    };
  }

  private static String norm(String value) {
    return value == null || value.isBlank() ? null : value.trim().toLowerCase(Locale.ROOT);
  }

  private static void put(Map<String, String> env, String name, String value) {
    if (value != null) {
      env.put(name, value);
    }
  }

  private static List<String> values(String... values) {
    return java.util.Arrays.asList(values);
  }
}
