package dev.planeguard.jaxrs.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/** Decides every request before the runtime matches a resource, ahead of any other filter. */
@PreMatching
public final class EdgeFilter implements ContainerRequestFilter {

  private final Guard guard;

  /** A filter deciding with {@code guard}. */
  public EdgeFilter(Guard guard) {
    this.guard = guard;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    guard.admit(request);
  }
}
