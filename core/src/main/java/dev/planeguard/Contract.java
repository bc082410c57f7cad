package dev.planeguard;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The environment contract of a running process: its mode, its database authority and role, and
 * what the mode allows. Immutable, and valid by construction: the only way to get one is to parse
 * an environment through a {@link ContractSpec}, which refuses every invalid combination.
 * <!-- example: Contract.fromEnvironment -->
 *
 * <pre>{@code
 * Contract contract = Contract.fromEnvironment();   // AOS_MODE, DB_AUTHORITY, ...
 * if (contract.mode() == Mode.PROD) {
 *   // ...
 * }
 * }</pre>
 */
public final class Contract {

  private final Mode mode;
  private final DbAuthority dbAuthority;
  private final @Nullable DbRole dbRole;
  private final boolean sandboxAllowed;
  private final boolean enforceTenancy;
  private final String tenantHeader;
  private final List<Problem> warnings;

  Contract(
      Mode mode,
      DbAuthority dbAuthority,
      @Nullable DbRole dbRole,
      boolean sandboxAllowed,
      boolean enforceTenancy,
      String tenantHeader,
      List<Problem> warnings) {
    if (sandboxAllowed && mode.isProductionLike()) {
      throw new IllegalStateException("sandbox keys are never allowed in " + mode);
    }
    this.mode = requireNonNull(mode);
    this.dbAuthority = requireNonNull(dbAuthority);
    this.dbRole = dbRole;
    this.sandboxAllowed = sandboxAllowed;
    this.enforceTenancy = enforceTenancy;
    this.tenantHeader = requireNonNull(tenantHeader);
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads the contract from the process environment with the {@linkplain ContractSpec#standard()
   * standard spec}.
   *
   * @throws ConfigurationException listing every violation
   */
  public static Contract fromEnvironment() {
    return ContractSpec.standard().fromEnvironment();
  }

  /**
   * Reads a contract from {@code env} with the {@linkplain ContractSpec#standard() standard spec}.
   *
   * @throws ConfigurationException listing every violation
   */
  public static Contract parse(Map<String, String> env) {
    return ContractSpec.standard().parse(env);
  }

  /** The deployment mode. */
  public Mode mode() {
    return mode;
  }

  /** Where the database lives. */
  public DbAuthority dbAuthority() {
    return dbAuthority;
  }

  /** The database role, or {@code null} when {@code DB_ROLE} is unset (allowed for serving). */
  public @Nullable DbRole dbRole() {
    return dbRole;
  }

  /**
   * Whether sandbox keys ({@code X-AOS-Customer-Key}) may be accepted: in local unless {@code
   * CUSTOMER_SANDBOX_ENABLED=false}, in test only with {@code CUSTOMER_SANDBOX_ENABLED=true}, never
   * in preprod or prod.
   */
  public boolean sandboxAllowed() {
    return sandboxAllowed;
  }

  /** Whether debug routes answer at all; false only in prod, where they are 404. */
  public boolean debugRoutesEnabled() {
    return mode != Mode.PROD;
  }

  /**
   * Whether a tenant header that disagrees with the caller's tenant is refused ({@code
   * ENFORCE_TENANCY}, true when unset).
   */
  public boolean enforceTenancy() {
    return enforceTenancy;
  }

  /** The tenant header name ({@code TENANT_HEADER}, {@code X-AOS-Tenant} when unset). */
  public String tenantHeader() {
    return tenantHeader;
  }

  /**
   * Problems tolerated in this mode but refused in preprod and prod, such as a bypass flag set in
   * local. Adapters log them at startup.
   */
  public List<Problem> warnings() {
    return warnings;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Contract c
        && mode == c.mode
        && dbAuthority.equals(c.dbAuthority)
        && dbRole == c.dbRole
        && sandboxAllowed == c.sandboxAllowed
        && enforceTenancy == c.enforceTenancy
        && tenantHeader.equals(c.tenantHeader)
        && warnings.equals(c.warnings);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mode, dbAuthority, dbRole, sandboxAllowed, enforceTenancy, tenantHeader);
  }

  @Override
  public String toString() {
    return "Contract{mode="
        + mode
        + ", dbAuthority="
        + dbAuthority
        + ", dbRole="
        + dbRole
        + ", sandboxAllowed="
        + sandboxAllowed
        + ", enforceTenancy="
        + enforceTenancy
        + ", tenantHeader="
        + tenantHeader
        + "}";
  }
}
