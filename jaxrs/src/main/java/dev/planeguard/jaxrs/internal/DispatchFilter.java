package dev.planeguard.jaxrs.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * Confirms, once the runtime has matched the resource method and before any other post-matching
 * filter or the method runs, that the rule applied at the edge covers it (decision row 18).
 */
public final class DispatchFilter implements ContainerRequestFilter {

  private final Guard guard;

  // Injected by the runtime: a proxy to the current request's matched resource.
  @Context private @Nullable ResourceInfo resource;

  /** A filter confirming with {@code guard}. */
  public DispatchFilter(Guard guard) {
    this.guard = guard;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    ResourceInfo info = resource;
    Class<?> type = info == null ? null : info.getResourceClass();
    Method method = info == null ? null : info.getResourceMethod();
    guard.confirm(request, type, method);
  }
}
