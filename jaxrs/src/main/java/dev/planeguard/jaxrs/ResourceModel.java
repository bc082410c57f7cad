package dev.planeguard.jaxrs;

import static java.util.Objects.requireNonNull;

import dev.planeguard.PlaneGuardSettings;
import dev.planeguard.RouteCoverage;
import dev.planeguard.RouteDeclarations;
import dev.planeguard.jaxrs.internal.JaxrsPatterns;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The resource methods of a Jakarta REST application as planeguard sees them at startup: one {@link
 * RouteCoverage.Handler} per resource method, with its paths (application path, class {@code @Path}
 * and method {@code @Path}, in policy syntax), its HTTP methods ({@code @GET}, ..., and custom
 * {@code @HttpMethod} annotations) and what its planeguard and Jakarta security annotations
 * declare. Give the handlers to planeguard's settings before assembling, and the same model to
 * {@link PlaneGuardFeature}, which confirms at dispatch that the resource method the runtime
 * matched is covered by the rule applied at the edge.
 * <!-- example: ResourceModel.of -->
 *
 * <pre>{@code
 * ResourceModel resources = ResourceModel.of(application);   // your Application or ResourceConfig
 * PlaneGuard planeguard =
 *     PlaneGuard.assemble(
 *         resources.addTo(PlaneGuardSettings.fromEnvironment(System.getenv())).build());
 * config.register(new PlaneGuardFeature(planeguard, resources));
 * }</pre>
 *
 * <h2>What is read</h2>
 *
 * <ul>
 *   <li>Root resources: the classes of {@link Application#getClasses()} and of {@link
 *       Application#getSingletons()} with {@code @Path}; other classes (providers) are ignored.
 *   <li>Every public method with an HTTP method annotation; its JAX-RS annotations may also sit on
 *       the same method of a superclass or an interface, as the specification allows. A {@code GET}
 *       method also serves {@code HEAD}.
 *   <li>Sub-resource locators (a {@code @Path} method without an HTTP method): the resource methods
 *       of the class they are declared to return, under the locator's path. A locator whose return
 *       type has no resource methods ({@code Object}, {@code Class<?>}, an interface the runtime
 *       resolves at request time), or that leads back to a class it came from, cannot be mirrored:
 *       it is reported in {@link #unmirrored()}, which stops startup in preprod and prod.
 *   <li>Planeguard's annotations and {@code @PermitAll}, {@code @DenyAll}, {@code @RolesAllowed},
 *       on the resource method and its class ({@link RouteDeclarations}).
 *   <li>The application path: {@code @ApplicationPath} of the application class, or {@link
 *       #of(String, Collection)}'s. Policy paths include it (they are relative to the context root,
 *       as for the servlet filter). Runtimes that ignore {@code @ApplicationPath} (Jersey's Grizzly
 *       and JDK HTTP containers) must be given a base URI that ends with it.
 * </ul>
 *
 * <p>Path templates are translated as wide as the runtime's or wider: {@code {id: [0-9]+}} reads as
 * {@code *}, {@code {path: .*}} at the end as {@code **}. Requests such a wider pattern admits that
 * the runtime then dispatches to another resource method are confirmed again at dispatch.
 *
 * <p>Instances are immutable.
 */
public final class ResourceModel {

  private static final int MAX_LOCATOR_DEPTH = 8;

  private final String applicationPath;
  private final List<RouteCoverage.Handler> handlers;
  private final Map<String, RouteCoverage.Handler> byMethod;
  private final List<String> unmirrored;

  private ResourceModel(
      String applicationPath,
      List<RouteCoverage.Handler> handlers,
      Map<String, RouteCoverage.Handler> byMethod,
      List<String> unmirrored) {
    this.applicationPath = applicationPath;
    this.handlers = handlers;
    this.byMethod = byMethod;
    this.unmirrored = unmirrored;
  }

  /**
   * The resources of {@code application}, under its {@code @ApplicationPath} (none if it has none).
   *
   * @throws IllegalArgumentException if a resource's annotations contradict each other
   */
  @SuppressWarnings("deprecation") // getSingletons is deprecated in 3.1, but still how many
  // applications register resource instances (RESTEasy's embedded servers, for example)
  public static ResourceModel of(Application application) {
    requireNonNull(application, "application");
    ApplicationPath path = application.getClass().getAnnotation(ApplicationPath.class);
    Set<Class<?>> classes = new LinkedHashSet<>(application.getClasses());
    for (Object singleton : application.getSingletons()) {
      classes.add(singleton.getClass());
    }
    return of(path == null ? "" : path.value(), classes);
  }

  /**
   * The root resources among {@code classes} (those with {@code @Path}), under {@code
   * applicationPath}.
   *
   * @param applicationPath the application's path below the context root, {@code ""} or {@code
   *     /api}; a missing leading slash is added and a trailing one removed
   * @throws IllegalArgumentException if a resource's annotations contradict each other
   */
  public static ResourceModel of(String applicationPath, Collection<Class<?>> classes) {
    String base = normalise(requireNonNull(applicationPath, "applicationPath"));
    Map<String, Builder> found = new LinkedHashMap<>();
    Set<String> unmirrored = new LinkedHashSet<>();
    List<Class<?>> roots = new ArrayList<>(classes);
    roots.sort(Comparator.comparing(Class::getName));
    for (Class<?> type : roots) {
      Path path = type.getAnnotation(Path.class);
      if (path != null) {
        collect(type, join(base, path.value()), found, unmirrored, new ArrayDeque<>());
      }
    }
    List<RouteCoverage.Handler> handlers = new ArrayList<>();
    Map<String, RouteCoverage.Handler> byMethod = new LinkedHashMap<>();
    for (Map.Entry<String, Builder> e : found.entrySet()) {
      RouteCoverage.Handler h = e.getValue().build();
      handlers.add(h);
      byMethod.put(e.getKey(), h);
    }
    return new ResourceModel(
        base, List.copyOf(handlers), Map.copyOf(byMethod), List.copyOf(unmirrored));
  }

  /** The application path, {@code ""} or {@code /api}. */
  public String applicationPath() {
    return applicationPath;
  }

  /** One handler per resource method, for {@link PlaneGuardSettings.Builder#handlers}. */
  public List<RouteCoverage.Handler> handlers() {
    return handlers;
  }

  /**
   * What planeguard cannot mirror (sub-resource locators without a resource class to read), one
   * line each, for {@link PlaneGuardSettings.Builder#unmirrored}.
   */
  public List<String> unmirrored() {
    return unmirrored;
  }

  /** Gives {@code settings} the {@link #handlers()} and the {@link #unmirrored()} lines. */
  public PlaneGuardSettings.Builder addTo(PlaneGuardSettings.Builder settings) {
    settings.handlers(handlers);
    unmirrored.forEach(settings::unmirrored);
    return settings;
  }

  /**
   * The handler of a resource method the runtime matched, or {@code null} if it is not one of the
   * model: looked up by the method's name and parameter types on the resource class and its
   * superclasses (a runtime may hand a subclass or a proxy of the class it read).
   */
  RouteCoverage.@Nullable Handler handler(Class<?> resourceClass, Method method) {
    String signature = signature(method);
    for (Class<?> c = resourceClass; c != null && c != Object.class; c = c.getSuperclass()) {
      RouteCoverage.Handler h = byMethod.get(c.getName() + "#" + signature);
      if (h != null) {
        return h;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ResourceModel{"
        + (applicationPath.isEmpty() ? "" : applicationPath + ", ")
        + handlers.size()
        + " resource methods"
        + (unmirrored.isEmpty() ? "" : ", " + unmirrored.size() + " unmirrored")
        + "}";
  }

  /** A handler being collected: one resource method may be reached under several paths. */
  private static final class Builder {
    final String origin;
    final Set<String> templates = new TreeSet<>();
    final Set<String> methods;
    final Optional<RouteDeclarations.Declared> declared;
    final boolean conditional;

    Builder(
        String origin,
        Set<String> methods,
        Optional<RouteDeclarations.Declared> declared,
        boolean conditional) {
      this.origin = origin;
      this.methods = methods;
      this.declared = declared;
      this.conditional = conditional;
    }

    RouteCoverage.Handler build() {
      List<RouteCoverage.PathMapping> paths = new ArrayList<>();
      for (String t : templates) {
        paths.add(JaxrsPatterns.toMapping(t));
      }
      return new RouteCoverage.Handler(origin, paths, methods, declared, conditional);
    }
  }

  private static void collect(
      Class<?> type,
      String prefix,
      Map<String, Builder> found,
      Set<String> unmirrored,
      Deque<Class<?>> visiting) {
    visiting.push(type);
    List<Method> methods = new ArrayList<>(List.of(type.getMethods()));
    methods.sort(Comparator.comparing(ResourceModel::signature));
    for (Method m : methods) {
      if (m.getDeclaringClass() == Object.class
          || Modifier.isStatic(m.getModifiers())
          || m.isBridge()
          || m.isSynthetic()) {
        continue;
      }
      Method annotated = annotated(type, m);
      if (annotated == null) {
        continue;
      }
      Path path = annotated.getAnnotation(Path.class);
      String template = path == null ? prefix : join(prefix, path.value());
      Set<String> httpMethods = httpMethods(annotated);
      String origin = type.getName() + "#" + m.getName();
      if (httpMethods.isEmpty()) {
        // A sub-resource locator: read the class it returns, under its path.
        Class<?> returned = m.getReturnType();
        if (visiting.contains(returned) || visiting.size() >= MAX_LOCATOR_DEPTH) {
          unmirrored.add(
              "the sub-resource locator "
                  + origin
                  + " leads back to "
                  + returned.getName()
                  + " (recursive resources)");
        } else if (!hasResourceMethods(returned)) {
          unmirrored.add(
              "the sub-resource locator "
                  + origin
                  + " returns "
                  + returned.getName()
                  + ", whose resource methods are only known at request time");
        } else {
          collect(returned, template, found, unmirrored, visiting);
        }
        continue;
      }
      String key = type.getName() + "#" + signature(m);
      Builder b = found.get(key);
      if (b == null) {
        b =
            new Builder(
                origin,
                httpMethods,
                RouteDeclarations.of(type, m, origin),
                conditional(type, annotated));
        found.put(key, b);
      }
      b.templates.add(template);
    }
    visiting.pop();
  }

  /**
   * The method carrying the JAX-RS annotations of {@code m}: {@code m} itself if it has any, else
   * the same method of the nearest superclass or interface that has (Jakarta REST 3.1, section
   * 3.6).
   */
  private static @Nullable Method annotated(Class<?> type, Method m) {
    if (isJaxrs(m)) {
      return m;
    }
    Deque<Class<?>> todo = new ArrayDeque<>();
    Class<?> superclass = type.getSuperclass();
    if (superclass != null) {
      todo.add(superclass);
    }
    todo.addAll(List.of(type.getInterfaces()));
    while (!todo.isEmpty()) {
      Class<?> c = todo.poll();
      try {
        Method candidate = c.getDeclaredMethod(m.getName(), m.getParameterTypes());
        if (isJaxrs(candidate)) {
          return candidate;
        }
      } catch (NoSuchMethodException e) {
        // not declared here
      }
      if (c.getSuperclass() != null) {
        todo.add(c.getSuperclass());
      }
      todo.addAll(List.of(c.getInterfaces()));
    }
    return null;
  }

  private static boolean isJaxrs(Method m) {
    return m.isAnnotationPresent(Path.class) || !httpMethods(m).isEmpty();
  }

  private static boolean hasResourceMethods(Class<?> type) {
    if (type.isPrimitive() || type == Object.class || type == Class.class) {
      return false;
    }
    for (Method m : type.getMethods()) {
      if (annotated(type, m) != null) {
        return true;
      }
    }
    return false;
  }

  /** The HTTP methods of the annotations meta-annotated {@code @HttpMethod}. */
  private static Set<String> httpMethods(Method m) {
    Set<String> methods = new TreeSet<>();
    for (Annotation a : m.getAnnotations()) {
      HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
      if (http != null) {
        methods.add(http.value());
      }
    }
    return methods;
  }

  /** Consumes or produces a media type: requests it does not accept are answered 406 or 415. */
  private static boolean conditional(Class<?> type, Method annotated) {
    return type.isAnnotationPresent(Consumes.class)
        || type.isAnnotationPresent(Produces.class)
        || annotated.isAnnotationPresent(Consumes.class)
        || annotated.isAnnotationPresent(Produces.class);
  }

  private static String signature(Method m) {
    StringBuilder sb = new StringBuilder(m.getName()).append('(');
    Class<?>[] types = m.getParameterTypes();
    for (int i = 0; i < types.length; i++) {
      sb.append(i == 0 ? "" : ",").append(types[i].getName());
    }
    return sb.append(')').toString();
  }

  /** {@code a} and {@code b} joined by one slash, without a trailing one ({@code ""} for root). */
  private static String join(String a, String b) {
    String tail = normalise(b);
    return a + tail;
  }

  /** {@code ""} or {@code /x/y}: a leading slash added, trailing slashes removed. */
  private static String normalise(String path) {
    String p = path.strip();
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    if (p.isEmpty()) {
      return "";
    }
    return p.startsWith("/") ? p : "/" + p;
  }
}
