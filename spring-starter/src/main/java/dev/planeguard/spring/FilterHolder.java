package dev.planeguard.spring;

import dev.planeguard.Enforcer;
import dev.planeguard.servlet.PlaneGuardFilter;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The one {@link PlaneGuardFilter} of the application, built on first use: the container's filter
 * chain decides with it, and the dispatch confirmation confirms with it. Not a {@code Filter} bean,
 * which Spring Boot would register (and create, with the enforcer and its route coverage) before
 * the handler mappings exist.
 */
final class FilterHolder implements Supplier<PlaneGuardFilter> {

  private final ObjectProvider<Enforcer> enforcer;
  private final PlaneGuardProperties properties;
  private volatile @Nullable PlaneGuardFilter filter;

  FilterHolder(ObjectProvider<Enforcer> enforcer, PlaneGuardProperties properties) {
    this.enforcer = enforcer;
    this.properties = properties;
  }

  @Override
  public PlaneGuardFilter get() {
    PlaneGuardFilter f = filter;
    if (f == null) {
      synchronized (this) {
        f = filter;
        if (f == null) {
          PlaneGuardFilter.Builder b =
              PlaneGuardFilter.builder(enforcer.getObject()).realm(properties.getRealm());
          String requestId = properties.getRequestIdHeader();
          if (requestId != null) {
            b.requestIdHeader(requestId);
          }
          f = b.build();
          filter = f;
        }
      }
    }
    return f;
  }
}
