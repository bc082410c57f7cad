package dev.planeguard.spring;

import dev.planeguard.RouteCoverage;

/**
 * The Spring MVC handlers and what each may run under, for the confirmation at dispatch.
 *
 * @param handlers the handlers as enumerated at startup
 * @param coverage their coverage under the enforcer's policy
 */
record MvcDispatch(WebHandlers handlers, RouteCoverage coverage) {

  /** The coverage entry of the handler Spring MVC chose for a request. */
  RouteCoverage.Entry entry(Object handler) {
    return handlers.entry(coverage, handler);
  }
}
