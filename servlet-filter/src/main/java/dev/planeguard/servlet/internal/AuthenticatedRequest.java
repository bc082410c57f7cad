package dev.planeguard.servlet.internal;

import static java.util.Objects.requireNonNull;

import dev.planeguard.Principal;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

/**
 * A request the engine authenticated: {@link #getUserPrincipal()} is the planeguard {@link
 * Principal}, {@link #getRemoteUser()} its id, {@link #getAuthType()} the scheme of its credential,
 * and {@link #isUserInRole} answers from its scopes.
 */
public final class AuthenticatedRequest extends HttpServletRequestWrapper {

  private final Principal principal;
  private final String authType;

  /**
   * Wraps {@code request}.
   *
   * @param authType what {@link #getAuthType()} answers
   */
  public AuthenticatedRequest(HttpServletRequest request, Principal principal, String authType) {
    super(request);
    this.principal = requireNonNull(principal, "principal");
    this.authType = requireNonNull(authType, "authType");
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  @Override
  public String getRemoteUser() {
    return principal.id();
  }

  @Override
  public String getAuthType() {
    return authType;
  }

  /**
   * Whether the principal holds the scope {@code role}. {@code "**"} means "any authenticated
   * caller" (Servlet 6.0, section 13.3) and is always true here.
   */
  @Override
  public boolean isUserInRole(String role) {
    return "**".equals(role) || principal.scopes().contains(role);
  }
}
