package dev.planeguard.spring;

import dev.planeguard.RouteDeclarations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Every handler of every {@link RequestMappingInfoHandlerMapping} in the context: the application's
 * controllers and Actuator's web endpoints. Only loaded when Spring MVC is on the class path.
 */
final class MvcHandlers {

  private MvcHandlers() {}

  /**
   * The handlers, sorted by origin.
   *
   * @throws IllegalArgumentException if a handler's annotations contradict each other
   */
  static List<HandlerRoute> of(ListableBeanFactory beans) {
    List<HandlerRoute> routes = new ArrayList<>();
    for (RequestMappingInfoHandlerMapping mapping :
        beans.getBeansOfType(RequestMappingInfoHandlerMapping.class, false, true).values()) {
      for (Map.Entry<RequestMappingInfo, HandlerMethod> e : mapping.getHandlerMethods().entrySet()) {
        if (!isErrorController(e.getValue().getBeanType())) {
          routes.add(route(e.getKey(), e.getValue()));
        }
      }
    }
    routes.sort(Comparator.comparing(HandlerRoute::origin));
    return routes;
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

  private static HandlerRoute route(RequestMappingInfo info, HandlerMethod handler) {
    Class<?> type = handler.getBeanType();
    String origin = type.getName() + "#" + handler.getMethod().getName();
    List<String> springPatterns = new ArrayList<>(new TreeSet<>(info.getPatternValues()));
    if (springPatterns.isEmpty()) {
      springPatterns.add("/");
    }
    List<@Nullable String> patterns = new ArrayList<>();
    for (String p : springPatterns) {
      patterns.add(SpringPatterns.toPolicy(p));
    }
    Set<String> methods = new TreeSet<>();
    for (RequestMethod m : info.getMethodsCondition().getMethods()) {
      methods.add(m.name());
    }
    Optional<RouteDeclarations.Declared> declared =
        RouteDeclarations.of(type, handler.getMethod(), origin);
    boolean actuator = type.getName().startsWith("org.springframework.boot.");
    return new HandlerRoute(
        List.copyOf(springPatterns), patterns, Set.copyOf(methods), origin, declared, actuator);
  }
}
