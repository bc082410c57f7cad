package dev.planeguard.jaxrs.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;

/**
 * Registered to run after every other response filter (they run in descending priority): restores a
 * refusal exactly, adds the rate limit headers of an allow and records its audit event.
 */
public final class ResponseGuard implements ContainerResponseFilter {

  private final Guard guard;

  /** A filter answering for {@code guard}. */
  public ResponseGuard(Guard guard) {
    this.guard = guard;
  }

  @Override
  public void filter(ContainerRequestContext request, ContainerResponseContext response) {
    guard.respond(request, response);
  }
}
