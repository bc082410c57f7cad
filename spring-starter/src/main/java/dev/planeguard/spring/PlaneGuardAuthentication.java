package dev.planeguard.spring;

import dev.planeguard.MachinePrincipal;
import dev.planeguard.Principal;
import dev.planeguard.SandboxPrincipal;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The Spring Security view of a caller planeguard has already authenticated: its principal is the
 * planeguard {@link Principal}; its authorities are one plane authority — {@link #PLANE_HUMAN},
 * {@link #PLANE_MACHINE} or {@link #PLANE_SANDBOX} — followed by the principal's scopes as {@code
 * SCOPE_<scope>} (as Spring Security's resource server names them). So
 * {@code @PreAuthorize("hasAuthority('SCOPE_runs:write')")} checks a scope and
 * {@code @PreAuthorize("hasAuthority('PLANE_MACHINE')")} tells planes apart. It holds no
 * credential: neither the token nor the key is kept.
 */
public final class PlaneGuardAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  /** The prefix of each scope's authority. */
  public static final String SCOPE_PREFIX = "SCOPE_";

  /** The prefix of the plane authority each caller has exactly one of. */
  public static final String PLANE_PREFIX = "PLANE_";

  /** The authority of a caller with a JWT ({@link dev.planeguard.HumanPrincipal}). */
  public static final String PLANE_HUMAN = PLANE_PREFIX + "HUMAN";

  /** The authority of a caller with a machine key ({@link MachinePrincipal}). */
  public static final String PLANE_MACHINE = PLANE_PREFIX + "MACHINE";

  /**
   * The authority of a caller with a sandbox key ({@link SandboxPrincipal}). Sandbox callers are on
   * the human plane but are not people, so they do not get {@link #PLANE_HUMAN}.
   */
  public static final String PLANE_SANDBOX = PLANE_PREFIX + "SANDBOX";

  private final Principal principal;

  /** An authenticated token for {@code principal}. */
  public PlaneGuardAuthentication(Principal principal) {
    super(authorities(principal));
    this.principal = principal;
    setAuthenticated(true);
  }

  private static List<GrantedAuthority> authorities(Principal principal) {
    List<GrantedAuthority> authorities = new ArrayList<>();
    authorities.add(new SimpleGrantedAuthority(planeAuthority(principal)));
    principal.scopes().stream()
        .sorted()
        .forEach(s -> authorities.add(new SimpleGrantedAuthority(SCOPE_PREFIX + s)));
    return authorities;
  }

  /** By the kind of credential, not {@link Principal#plane()}: sandbox callers share HUMAN. */
  private static String planeAuthority(Principal principal) {
    if (principal instanceof SandboxPrincipal) {
      return PLANE_SANDBOX;
    }
    if (principal instanceof MachinePrincipal) {
      return PLANE_MACHINE;
    }
    return PLANE_HUMAN; // the sealed Principal permits only HumanPrincipal besides these
  }

  /** Always empty: planeguard does not hand on credentials. */
  @Override
  public Object getCredentials() {
    return "";
  }

  @Override
  public Principal getPrincipal() {
    return principal;
  }

  @Override
  public String getName() {
    return principal.id();
  }
}
