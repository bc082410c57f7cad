package dev.planeguard.spring;

import dev.planeguard.Access;
import dev.planeguard.Plane;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.cors.PreFlightRequestHandler;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Every handler of every {@link RequestMappingInfoHandlerMapping} in the context (the application's
 * controllers and Actuator's web endpoints) as the route coverage sees them, and the way back from
 * the handler Spring MVC chose for a request to its entry. Only loaded with Spring MVC on the class
 * path.
 */
final class MvcHandlers implements WebHandlers {

  /** Spring MVC's own handlers: its automatic OPTIONS answers and CORS pre-flights. */
  private static final String SPRING_MVC = "org.springframework.web.servlet.";

  /** The origin of the planeguard Actuator endpoint, which is always a debug route. */
  static final String ENDPOINT_ORIGIN = "the planeguard actuator endpoint (always a debug route)";

  private final List<RouteCoverage.Handler> handlers;
  private final IdentityHashMap<HandlerMethod, Integer> index;
  private final List<String> matching;

  private MvcHandlers(
      List<RouteCoverage.Handler> handlers,
      IdentityHashMap<HandlerMethod, Integer> index,
      List<String> matching) {
    this.handlers = handlers;
    this.index = index;
    this.matching = matching;
  }

  /**
   * The handlers, sorted by origin; Spring Boot's error controller is left out (see {@link
   * #isErrorController}).
   *
   * @param servletPath the DispatcherServlet's path prefix, {@code ""} or {@code /svc}
   */
  static MvcHandlers of(ListableBeanFactory beans, String servletPath) {
    List<Registered> found = new ArrayList<>();
    Set<String> matching = new LinkedHashSet<>();
    for (RequestMappingInfoHandlerMapping mapping :
        beans.getBeansOfType(RequestMappingInfoHandlerMapping.class, false, true).values()) {
      String unmirrored = unmirroredMatching(mapping);
      if (unmirrored != null) {
        matching.add(unmirrored);
      }
      for (Map.Entry<RequestMappingInfo, HandlerMethod> e :
          mapping.getHandlerMethods().entrySet()) {
        if (!isErrorController(e.getValue().getBeanType())) {
          found.add(new Registered(e.getValue(), handler(e.getKey(), e.getValue(), servletPath)));
        }
      }
    }
    found.sort(Comparator.comparing(r -> r.handler().origin()));
    List<RouteCoverage.Handler> handlers = new ArrayList<>(found.size());
    IdentityHashMap<HandlerMethod, Integer> index = new IdentityHashMap<>();
    for (Registered r : found) {
      index.put(original(r.method()), handlers.size());
      handlers.add(r.handler());
    }
    return new MvcHandlers(List.copyOf(handlers), index, List.copyOf(matching));
  }

  private record Registered(HandlerMethod method, RouteCoverage.Handler handler) {}

  @Override
  public List<RouteCoverage.Handler> handlers() {
    return handlers;
  }

  /** Path matching settings planeguard does not mirror, one line each. */
  List<String> unmirroredMatching() {
    return matching;
  }

  /**
   * The coverage entry of the handler Spring MVC chose: a registered handler method's own entry;
   * the path handler for handlers that serve the request path as it is (static resources, view
   * controllers, the error controller); the framework answer for Spring's own {@code OPTIONS} and
   * CORS pre-flight answers; nothing for a handler method registered after startup.
   */
  @Override
  public RouteCoverage.Entry entry(RouteCoverage coverage, Object handler) {
    if (!(handler instanceof HandlerMethod method)) {
      return handler instanceof PreFlightRequestHandler
          ? coverage.frameworkAnswer()
          : coverage.pathHandler();
    }
    Integer i = index.get(original(method));
    if (i != null) {
      return coverage.entry(i);
    }
    Class<?> type = method.getBeanType();
    if (type.getName().startsWith(SPRING_MVC)) {
      return coverage.frameworkAnswer();
    }
    if (isErrorController(type)) {
      return coverage.pathHandler();
    }
    return coverage.unknown();
  }

  /**
   * The instance Spring MVC created when it registered the handler: the registered one and the one
   * chosen for a request are copies of it (with validation flags, with the bean resolved), and both
   * point back to it.
   */
  private static HandlerMethod original(HandlerMethod method) {
    HandlerMethod from = method.getResolvedFromHandlerMethod();
    return from != null ? from : method;
  }

  /**
   * Spring Boot's error controller ({@code ErrorController}, in Boot 3 and 4's packages) is reached
   * through the container's error dispatch, which planeguard decides like any other: if the policy
   * has no rule for the error path, the filter answers the original status itself. It is left out
   * of coverage so that every application does not need a rule for it.
   */
  static boolean isErrorController(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Class<?> i : c.getInterfaces()) {
        if (i.getSimpleName().equals("ErrorController")
            && i.getName().startsWith("org.springframework.boot.")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * How a mapping matches paths differently from the policy, or {@code null}: case-insensitive
   * matching, or suffix patterns ({@code /a} also serving {@code /a.json}, Spring 6's legacy
   * option). A trailing-slash match is not reported: planeguard ignores one trailing slash exactly
   * as it does.
   */
  @SuppressWarnings("removal") // the legacy path matcher is deprecated, but still configurable
  private static @Nullable String unmirroredMatching(RequestMappingInfoHandlerMapping mapping) {
    String name = mapping.getClass().getName();
    PathPatternParser parser = mapping.getPatternParser();
    if (parser != null) {
      if (!parser.isCaseSensitive()) {
        return name + " matches paths case-insensitively";
      }
    } else if (mapping.getPathMatcher().match("/planeguard", "/PLANEGUARD")) {
      return name + " matches paths case-insensitively";
    }
    if (mapping instanceof RequestMappingHandlerMapping
        && (flag(mapping, "useSuffixPatternMatch")
            || flag(mapping, "useRegisteredSuffixPatternMatch"))) {
      return name + " matches suffix patterns (/a also answers /a.json)";
    }
    return null;
  }

  /** A boolean getter that only older Spring versions have; false where it does not exist. */
  private static boolean flag(Object target, String getter) {
    try {
      Method m = target.getClass().getMethod(getter);
      return Boolean.TRUE.equals(m.invoke(target));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return false;
    }
  }

  private static RouteCoverage.Handler handler(
      RequestMappingInfo info, HandlerMethod handler, String servletPath) {
    Class<?> type = handler.getBeanType();
    boolean actuator = type.getName().startsWith("org.springframework.boot.");
    List<String> springPatterns = new ArrayList<>(new TreeSet<>(info.getPatternValues()));
    if (springPatterns.isEmpty()) {
      springPatterns.add("/");
    }
    List<RouteCoverage.PathMapping> paths = new ArrayList<>();
    for (String p : springPatterns) {
      paths.add(RouteCoverage.PathMapping.ofPathPattern(servletPath, p));
    }
    Set<String> methods = new TreeSet<>();
    for (RequestMethod m : info.getMethodsCondition().getMethods()) {
      methods.add(m.name());
    }
    String origin;
    Optional<RouteDeclarations.Declared> declared;
    if (actuator) {
      boolean endpoint =
          paths.stream().anyMatch(p -> p.written().endsWith("/" + PlaneGuardEndpoint.ID));
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
            || info.getCustomCondition() != null;
    return new RouteCoverage.Handler(origin, paths, methods, declared, conditional);
  }
}
