package dev.planeguard.spring;

import dev.planeguard.Principal;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * The Spring Security view of a caller planeguard has already authenticated: its principal is the
 * planeguard {@link Principal}, its authorities are the principal's scopes as {@code SCOPE_<scope>}
 * (as Spring Security's resource server names them), so {@code
 * @PreAuthorize("hasAuthority('SCOPE_runs:write')")} works. It holds no credential: neither the
 * token nor the key is kept.
 */
public final class PlaneGuardAuthentication extends AbstractAuthenticationToken {

  private static final long serialVersionUID = 1L;

  /** The prefix of each scope's authority. */
  public static final String SCOPE_PREFIX = "SCOPE_";

  private final Principal principal;

  /** An authenticated token for {@code principal}. */
  public PlaneGuardAuthentication(Principal principal) {
    super(authorities(principal));
    this.principal = principal;
    setAuthenticated(true);
  }

  private static List<GrantedAuthority> authorities(Principal principal) {
    List<GrantedAuthority> authorities = new ArrayList<>();
    principal.scopes().stream().sorted().forEach(s -> authorities.add(new SimpleGrantedAuthority(SCOPE_PREFIX + s)));
    return authorities;
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
