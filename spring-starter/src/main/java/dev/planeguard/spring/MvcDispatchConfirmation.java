package dev.planeguard.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Confirms, once Spring MVC has chosen the handler and before any other interceptor or the handler
 * runs, that the rule planeguard applied at the edge covers that handler for the method Spring
 * serves (decision row 18). Registered as a {@code MappedInterceptor} bean, which every handler
 * mapping of the context picks up ahead of the interceptors the application configures.
 */
final class MvcDispatchConfirmation implements HandlerInterceptor {

  private final ObjectProvider<MvcDispatch> dispatch;
  private final ObjectProvider<FilterHolder> filter;
  private volatile @Nullable MvcDispatch resolved;

  /** Looks its collaborators up on first use: the handler mappings exist before them. */
  MvcDispatchConfirmation(
      ObjectProvider<MvcDispatch> dispatch, ObjectProvider<FilterHolder> filter) {
    this.dispatch = dispatch;
    this.filter = filter;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws Exception {
    MvcDispatch d = resolved;
    if (d == null) {
      d = dispatch.getObject();
      resolved = d;
    }
    return filter.getObject().get().confirm(request, response, d.entry(handler));
  }
}
