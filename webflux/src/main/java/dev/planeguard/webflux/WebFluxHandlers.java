package dev.planeguard.webflux;

import dev.planeguard.Access;
import dev.planeguard.Plane;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.webflux.internal.FunctionalRoutes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;
import org.springframework.web.reactive.handler.AbstractHandlerMapping;
import org.springframework.web.reactive.result.condition.AbstractRequestCondition;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Every handler of a WebFlux application as the route coverage sees it — annotated controllers and
 * Actuator's endpoints (every reactive {@code RequestMappingInfoHandlerMapping}) and functional
 * routes (every {@code RouterFunctionMapping}) — and the way back from the handler WebFlux chose
 * for a request to its coverage entry. Read once, when the application's handler mappings exist.
 *
 * <p>Functional routes are read through Spring's {@code RouterFunctions.Visitor}: a route's
 * description is never narrower than what it serves (see {@link #handlers()}); a request predicate
 * or router function Spring cannot describe is listed in {@link #unmirrored()}, which stops startup
 * in preprod and prod. A handler function used by several routes is one handler with all their
 * paths and methods.
 */
public final class WebFluxHandlers {

  /** WebFlux's own handlers: its automatic OPTIONS answers. */
  private static final String WEBFLUX = "org.springframework.web.reactive.";

  /** Serves static resources of a functional route: the request path as it is. */
  private static final String RESOURCE_FUNCTION =
      "org.springframework.web.reactive.function.server.ResourceHandlerFunction";

  private final List<RouteCoverage.Handler> handlers;
  private final IdentityHashMap<Object, Integer> index;
  private final List<String> unmirrored;

  private WebFluxHandlers(
      List<RouteCoverage.Handler> handlers,
      IdentityHashMap<Object, Integer> index,
      List<String> unmirrored) {
    this.handlers = handlers;
    this.index = index;
    this.unmirrored = unmirrored;
  }

  /** The handlers of every reactive handler mapping in {@code beans}, sorted by origin. */
  public static WebFluxHandlers of(ListableBeanFactory beans) {
    List<Registered> found = new ArrayList<>();
    Set<String> unmirrored = new LinkedHashSet<>();
    for (RequestMappingInfoHandlerMapping mapping :
        beans.getBeansOfType(RequestMappingInfoHandlerMapping.class, false, true).values()) {
      caseInsensitive(mapping, unmirrored);
      for (Map.Entry<RequestMappingInfo, HandlerMethod> e :
          mapping.getHandlerMethods().entrySet()) {
        found.add(new Registered(original(e.getValue()), handler(e.getKey(), e.getValue())));
      }
    }
    for (RouterFunctionMapping mapping :
        beans.getBeansOfType(RouterFunctionMapping.class, false, true).values()) {
      caseInsensitive(mapping, unmirrored);
      RouterFunction<?> function = mapping.getRouterFunction();
      if (function == null) {
        continue;
      }
      FunctionalRoutes routes = FunctionalRoutes.of(function);
      unmirrored.addAll(routes.unmirrored());
      for (FunctionalRoutes.Route r : routes.routes()) {
        List<RouteCoverage.PathMapping> paths = new ArrayList<>();
        for (String p : new TreeSet<>(r.paths())) {
          paths.add(RouteCoverage.PathMapping.ofPathPattern("", p));
        }
        found.add(
            new Registered(
                r.function(),
                new RouteCoverage.Handler(
                    r.origin(), paths, r.methods(), Optional.empty(), r.conditional())));
      }
    }
    found.sort(Comparator.comparing(r -> r.handler().origin()));
    List<RouteCoverage.Handler> handlers = new ArrayList<>(found.size());
    IdentityHashMap<Object, Integer> index = new IdentityHashMap<>();
    for (Registered r : found) {
      index.put(r.key(), handlers.size());
      handlers.add(r.handler());
    }
    return new WebFluxHandlers(List.copyOf(handlers), index, List.copyOf(unmirrored));
  }

  private record Registered(Object key, RouteCoverage.Handler handler) {}

  /**
   * The handlers, in the order of their coverage entries: give them to {@code
   * PlaneGuardSettings.Builder.handlers} (or {@code PlaneGuard.cover}).
   */
  public List<RouteCoverage.Handler> handlers() {
    return handlers;
  }

  /**
   * Settings with which WebFlux would dispatch otherwise than planeguard decides (case-insensitive
   * matching, functional routes it cannot describe), one line each: give them to {@code
   * PlaneGuardSettings.Builder.unmirrored} (or {@code PlaneGuard.cover}).
   */
  public List<String> unmirrored() {
    return unmirrored;
  }

  /**
   * The coverage entry of the handler WebFlux chose: a registered handler method's or handler
   * function's own entry; the framework answer for WebFlux's own {@code OPTIONS} answers; the path
   * handler for handlers that serve the request path as it is (static resources, other {@code
   * WebHandler}s); nothing for a handler registered after startup.
   *
   * @param coverage the coverage of {@link #handlers()} under the enforcer's policy
   */
  public RouteCoverage.Entry entry(RouteCoverage coverage, Object handler) {
    Object key = handler instanceof HandlerMethod method ? original(method) : handler;
    Integer i = index.get(key);
    if (i != null) {
      return coverage.entry(i);
    }
    if (handler instanceof HandlerMethod method) {
      return method.getBeanType().getName().startsWith(WEBFLUX)
          ? coverage.frameworkAnswer()
          : coverage.unknown();
    }
    if (handler instanceof HandlerFunction<?> function) {
      return function.getClass().getName().equals(RESOURCE_FUNCTION)
          ? coverage.pathHandler()
          : coverage.unknown();
    }
    return coverage.pathHandler();
  }

  /**
   * The instance WebFlux created when it registered the handler method: the one chosen for a
   * request is a copy (with the bean resolved) that points back to it.
   */
  private static HandlerMethod original(HandlerMethod method) {
    HandlerMethod from = method.getResolvedFromHandlerMethod();
    return from != null ? from : method;
  }

  private static void caseInsensitive(AbstractHandlerMapping mapping, Set<String> unmirrored) {
    PathPatternParser parser = mapping.getPathPatternParser();
    if (!parser.isCaseSensitive()) {
      unmirrored.add(mapping.getClass().getName() + " matches paths case-insensitively");
    }
  }

  private static RouteCoverage.Handler handler(RequestMappingInfo info, HandlerMethod handler) {
    Class<?> type = handler.getBeanType();
    boolean actuator = type.getName().startsWith("org.springframework.boot.");
    List<String> springPatterns = new ArrayList<>();
    for (PathPattern p : new TreeSet<>(info.getPatternsCondition().getPatterns())) {
      springPatterns.add(p.getPatternString());
    }
    springPatterns = new ArrayList<>(new TreeSet<>(springPatterns));
    if (springPatterns.isEmpty()) {
      springPatterns.add("/");
    }
    List<RouteCoverage.PathMapping> paths = new ArrayList<>();
    for (String p : springPatterns) {
      paths.add(RouteCoverage.PathMapping.ofPathPattern("", p));
    }
    Set<String> methods = new TreeSet<>();
    for (RequestMethod m : info.getMethodsCondition().getMethods()) {
      methods.add(m.name());
    }
    String origin;
    Optional<RouteDeclarations.Declared> declared;
    if (actuator) {
      boolean endpoint = paths.stream().anyMatch(p -> p.written().endsWith("/" + ENDPOINT_ID));
      origin = endpoint ? ENDPOINT_ORIGIN : "Actuator " + String.join(" ", springPatterns);
      declared =
          endpoint
              ? Optional.of(new RouteDeclarations.Declared(Access.DEBUG, Plane.HUMAN, Set.of()))
              : Optional.empty();
    } else {
      origin = type.getName() + "#" + handler.getMethod().getName();
      declared = RouteDeclarations.of(type, handler.getMethod(), origin);
    }
    boolean conditional =
        !info.getParamsCondition().isEmpty()
            || !info.getHeadersCondition().isEmpty()
            || !info.getConsumesCondition().isEmpty()
            || !info.getProducesCondition().isEmpty()
            || info.getCustomCondition() != null
            || versioned(info);
    return new RouteCoverage.Handler(origin, paths, methods, declared, conditional);
  }

  /** The id of the starter's Actuator endpoint, which is always a debug route. */
  private static final String ENDPOINT_ID = "planeguard";

  private static final String ENDPOINT_ORIGIN =
      "the planeguard actuator endpoint (always a debug route)";

  /** Spring 7's API version condition (absent in Spring 6): a handler for some versions only. */
  private static boolean versioned(RequestMappingInfo info) {
    try {
      Object condition = info.getClass().getMethod("getVersionCondition").invoke(info);
      return condition instanceof AbstractRequestCondition<?> c && !c.isEmpty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "WebFluxHandlers{" + handlers.size() + " handlers}";
  }
}
