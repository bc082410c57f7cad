package dev.planeguard.spring;

import dev.planeguard.RouteCoverage;
import dev.planeguard.webflux.WebFluxHandlers;
import java.util.List;

/** WebFlux's handlers for the starter's setup. Only loaded with planeguard-webflux present. */
record FluxHandlers(WebFluxHandlers webflux) implements WebHandlers {

  @Override
  public List<RouteCoverage.Handler> handlers() {
    return webflux.handlers();
  }

  @Override
  public RouteCoverage.Entry entry(RouteCoverage coverage, Object handler) {
    return webflux.entry(coverage, handler);
  }
}
