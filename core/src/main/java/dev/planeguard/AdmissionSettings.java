package dev.planeguard;

import dev.planeguard.PlaneGuardSettings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits, budgets and uses as the user wrote them (an adapter's settings, else the contract
 * variables of the environment), checked once for every adapter: the same mistake gives the same
 * problem from the starter, a servlet application and {@code planeguard check-env}.
 */
final class AdmissionSettings {

  /** Requests per minute of each caller when default limits are on and none is set. */
  static final long DEFAULT_RPM = 600;

  private static final Logger LOG = LoggerFactory.getLogger("planeguard");

  private final Function<Setting, String> naming;
  private final List<Problem> problems;

  private AdmissionSettings(Function<Setting, String> naming, List<Problem> problems) {
    this.naming = naming;
    this.problems = problems;
  }

  private String name(Setting setting) {
    return naming.apply(setting);
  }

  /**
   * The admission of {@code settings}, or {@code null} with its problems added to {@code problems}.
   *
   * @param naming how the adapter names its own settings
   */
  static @Nullable Admission admission(
      PlaneGuardSettings.RateLimits settings,
      Map<String, String> env,
      Function<Setting, String> naming,
      List<Problem> problems) {
    return new AdmissionSettings(naming, problems).admission(settings, env);
  }

  /** The problems of the contract variables of rate limits in {@code env} (no database is used). */
  static List<Problem> problems(Map<String, String> env) {
    List<Problem> problems = new ArrayList<>();
    admission(PlaneGuardSettings.RateLimits.FROM_ENVIRONMENT, env, Setting::variable, problems);
    return problems;
  }

  /** A value of the rate-limit settings: the adapter's own, else its contract variable. */
  private record Raw(@Nullable String value, String name) {}

  private Raw raw(@Nullable String own, Setting setting, Map<String, String> env) {
    if (own != null && !own.isBlank()) {
      return new Raw(own, name(setting));
    }
    String fromEnv = env.get(setting.variable());
    return new Raw(fromEnv == null || fromEnv.isBlank() ? null : fromEnv, setting.variable());
  }

  /**
   * Rate limits, budgets and uses from the settings and the contract variables; {@code null} (with
   * the problems listed) if any value is wrong.
   */
  private @Nullable Admission admission(PlaneGuardSettings.RateLimits r, Map<String, String> env) {
    int before = problems.size();
    Raw enabledRaw = raw(r.enabled(), Setting.RATE_LIMIT_ENABLED, env);
    String enabledValue =
        enabledRaw.value == null ? "false" : enabledRaw.value.strip().toLowerCase(Locale.ROOT);
    boolean enabled = enabledValue.equals("true");
    if (enabledRaw.value != null) {
      if (!enabledValue.equals("true") && !enabledValue.equals("false")) {
        problems.add(
            new Problem(
                enabledRaw.name,
                "must be true or false, not " + Problem.quote(enabledRaw.value, 32),
                "set "
                    + enabledRaw.name
                    + " to true to give every caller and tenant the default limits, or"
                    + " unset it (off)"));
      }
    }
    Raw rpmRaw = raw(r.defaultRpm(), Setting.RATE_LIMIT_DEFAULT_RPM, env);
    Raw burstRaw = raw(r.burstRpm(), Setting.RATE_LIMIT_BURST_RPM, env);
    Long rpm = count(rpmRaw, "requests per minute, such as 600");
    Long burst = count(burstRaw, "requests at once, at least the requests per minute");
    Long sandboxRpm =
        count(
            raw(r.sandboxPerMinute(), Setting.SANDBOX_RATE_LIMIT, env),
            "requests per minute of each sandbox key, such as 60");
    Raw tenantRaw = raw(r.tenantLimit(), Setting.TENANT_RATE_LIMIT, env);
    RateLimit tenantLimit = limit(tenantRaw);
    Raw budgetRaw = raw(r.tenantBudgetCents(), Setting.TENANT_BUDGET, env);
    Long budget = cents(budgetRaw);
    long perMinute = rpm == null ? DEFAULT_RPM : rpm;
    if (burst != null && burst < perMinute) {
      problems.add(
          new Problem(
              burstRaw.name,
              "is "
                  + burst
                  + ", less than the "
                  + perMinute
                  + " requests per minute it is the burst of",
              "set " + burstRaw.name + " to at least " + perMinute + ", or unset it"));
      burst = null;
    }
    if (!enabled && (rpm != null || burst != null || tenantLimit != null)) {
      LOG.warn(
          "planeguard: {} are set but {} is not true: callers and tenants have no default"
              + " limits (keys' own limits, uses, sandbox limits and budgets still apply)",
          String.join(
              ", ",
              Stream.of(
                      rpm == null ? null : rpmRaw.name,
                      burst == null ? null : burstRaw.name,
                      tenantLimit == null ? null : tenantRaw.name)
                  .filter(Objects::nonNull)
                  .toList()),
          enabledRaw.name);
    }
    Admission.Builder b = Admission.builder();
    if (enabled) {
      b.callerLimit(
          RateLimit.perMinute(perMinute).withBurst(Math.max(perMinute, burst == null ? 0 : burst)));
      b.tenantLimit(tenantLimit);
    }
    if (sandboxRpm != null) {
      b.sandboxLimit(RateLimit.perMinute(sandboxRpm));
    }
    b.tenantBudgetCents(budget);
    r.tenantLimits()
        .forEach(
            (tenant, value) -> {
              RateLimit l =
                  limit(new Raw(value, name(Setting.TENANT_RATE_LIMIT) + " of " + tenant));
              if (l != null && enabled) {
                b.tenantLimit(tenant, l);
              }
            });
    r.tenantBudgets()
        .forEach(
            (tenant, value) -> {
              Long c = cents(new Raw(value, name(Setting.TENANT_BUDGET) + " of " + tenant));
              if (c != null) {
                b.tenantBudgetCents(tenant, c);
              }
            });
    PlaneGuardSettings.RateLimitsJdbc jdbc = r.jdbc();
    if (jdbc != null) {
      DataSource ds = jdbc.dataSource();
      if (ds == null) {
        problems.add(
            new Problem(
                name(Setting.RATE_LIMIT_JDBC),
                "shared rate-limit counts need one DataSource, and there is none or more than"
                    + " one",
                "define exactly one DataSource bean, or set "
                    + name(Setting.RATE_LIMIT_JDBC)
                    + "=false to count in this process"));
      } else {
        String table = jdbc.table() == null ? Admission.DEFAULT_TABLE : jdbc.table();
        problems.addAll(Admission.tableProblems(ds, table, name(Setting.RATE_LIMIT_JDBC_TABLE)));
        b.jdbc(ds, table);
        Long allowance = jdbc.localAllowance();
        if (allowance != null) {
          b.localAllowance(allowance);
        }
      }
    }
    if (problems.size() > before) {
      return null;
    }
    try {
      return b.build();
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
      return null;
    }
  }

  private @Nullable Long count(Raw raw, String what) {
    String v = raw.value;
    if (v == null) {
      return null;
    }
    String t = v.strip();
    if (t.matches("\\d{1,10}")) {
      long n = Long.parseLong(t);
      if (n >= 1 && n <= RateLimit.MAX_REQUESTS) {
        return n;
      }
    }
    problems.add(
        new Problem(
            raw.name,
            "must be a whole number from 1 to "
                + RateLimit.MAX_REQUESTS
                + ", not "
                + Problem.quote(v, 32),
            "write " + what + ", or unset it"));
    return null;
  }

  private @Nullable RateLimit limit(Raw raw) {
    String v = raw.value;
    if (v == null) {
      return null;
    }
    String t = v.strip();
    RateLimit l = t.matches("\\d{1,10}") ? RateLimit.tryParse(t + "/1m") : RateLimit.tryParse(t);
    if (l == null) {
      problems.add(
          new Problem(
              raw.name,
              Problem.quote(v, 32) + " is not a rate limit",
              "write requests per minute (6000) or requests/period (6000/1m, 100/s, 50000/1d)"));
    }
    return l;
  }

  private @Nullable Long cents(Raw raw) {
    String v = raw.value;
    if (v == null) {
      return null;
    }
    String t = v.strip();
    if (t.matches("\\d{1,15}")) {
      return Long.parseLong(t);
    }
    problems.add(
        new Problem(
            raw.name,
            "must be a whole number of cents (0 or more), not " + Problem.quote(v, 32),
            "write the budget per tenant and UTC day in cents, such as 5000 for 50.00, or unset"
                + " it"));
    return null;
  }
}
