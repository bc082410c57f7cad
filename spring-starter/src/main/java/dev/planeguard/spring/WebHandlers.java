package dev.planeguard.spring;

import dev.planeguard.RouteCoverage;
import java.util.List;

/**
 * The handlers of the web framework the application runs on (Spring MVC or WebFlux), as the route
 * coverage sees them, and the way back from the handler the framework chose to its entry.
 */
interface WebHandlers {

  /** The handlers, in the order of their coverage entries. */
  List<RouteCoverage.Handler> handlers();

  /** The coverage entry of the handler the framework chose for a request. */
  RouteCoverage.Entry entry(RouteCoverage coverage, Object handler);
}
