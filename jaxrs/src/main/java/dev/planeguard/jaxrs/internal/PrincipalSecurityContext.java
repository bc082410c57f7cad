package dev.planeguard.jaxrs.internal;

import dev.planeguard.Principal;
import jakarta.ws.rs.core.SecurityContext;
import org.jspecify.annotations.Nullable;

/**
 * The security context of a request the engine authenticated: the planeguard {@link Principal},
 * roles answered from its scopes, the scheme of its credential, and {@code isSecure()} from the
 * runtime's own context.
 */
public final class PrincipalSecurityContext implements SecurityContext {

  private final Principal principal;
  private final String scheme;
  private final @Nullable SecurityContext original;

  /** A context for {@code principal}, keeping {@code original}'s {@code isSecure()}. */
  public PrincipalSecurityContext(
      Principal principal, String scheme, @Nullable SecurityContext original) {
    this.principal = principal;
    this.scheme = scheme;
    this.original = original;
  }

  @Override
  public Principal getUserPrincipal() {
    return principal;
  }

  /** Whether the principal holds the scope {@code role}. */
  @Override
  public boolean isUserInRole(String role) {
    return principal.scopes().contains(role);
  }

  @Override
  public boolean isSecure() {
    return original != null && original.isSecure();
  }

  @Override
  public String getAuthenticationScheme() {
    return scheme;
  }

  @Override
  public String toString() {
    return "PrincipalSecurityContext{" + scheme + "}";
  }
}
