package dev.planeguard;

import static java.util.Objects.requireNonNull;

import dev.planeguard.annotation.DebugRoute;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.annotation.PublicRoute;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads what a handler's annotations declare, framework-free. Adapters call it for every handler
 * and turn the result into policy rules with the handler's own path patterns and methods.
 *
 * <p>The annotations read:
 *
 * <table class="striped">
 *   <caption>Annotations and what they declare</caption>
 *   <tr><th>annotation</th><th>declares</th></tr>
 *   <tr><td>{@link HumanPlane @HumanPlane(scopes)}</td><td>{@code human}, with scopes</td></tr>
 *   <tr><td>{@link MachinePlane @MachinePlane(scopes)}</td><td>{@code machine}, with scopes</td></tr>
 *   <tr><td>{@link PublicRoute @PublicRoute}</td><td>{@code public}; {@code carveOut = true}
 *       adds {@code carve-out=yes}</td></tr>
 *   <tr><td>{@link DebugRoute @DebugRoute(plane)}</td><td>{@code debug plane=...}</td></tr>
 *   <tr><td>{@code jakarta.annotation.security.PermitAll}</td><td>{@code public}</td></tr>
 *   <tr><td>{@code jakarta.annotation.security.DenyAll}</td><td>{@code deny}: always refused</td></tr>
 *   <tr><td>{@code jakarta.annotation.security.RolesAllowed}</td><td>scopes on the rule of the
 *       handler's plane; never a plane by itself</td></tr>
 * </table>
 *
 * <p>A method's access annotation overrides its class's; a method's {@code @RolesAllowed} overrides
 * its class's. {@code @RolesAllowed} roles are all required (the Jakarta meaning is "any of them":
 * planeguard reads it strictly — write one role per scope you require). A handler with only
 * {@code @RolesAllowed}, or with no annotation at all, declares nothing: it is covered by the
 * policy file or not at all. Two access annotations on one element are an error.
 *
 * <p>The Jakarta annotations are read by name, so {@code jakarta.annotation-api} is not needed at
 * run time.
 */
public final class RouteDeclarations {

  private static final String PERMIT_ALL = "jakarta.annotation.security.PermitAll";
  private static final String DENY_ALL = "jakarta.annotation.security.DenyAll";
  private static final String ROLES_ALLOWED = "jakarta.annotation.security.RolesAllowed";

  private RouteDeclarations() {}

  /**
   * What annotations declare about a handler: access, plane and scopes, without the path.
   *
   * @param access the declared access
   * @param plane the plane of a human, machine or debug declaration, else {@code null}
   * @param scopes required scopes
   * @param carveOut a public declaration meant to open a hole in a protected rule ({@code
   *     carve-out=yes})
   */
  public record Declared(
      Access access, @Nullable Plane plane, Set<String> scopes, boolean carveOut) {

    /** Copies the scopes. */
    public Declared {
      requireNonNull(access, "access");
      scopes = Set.copyOf(scopes);
    }

    /** A declaration that is no carve-out. */
    public Declared(Access access, @Nullable Plane plane, Set<String> scopes) {
      this(access, plane, scopes, false);
    }

    /**
     * The policy rule for one of the handler's path patterns.
     *
     * @throws IllegalArgumentException if the pattern or a scope is invalid
     */
    public Rule toRule(String pattern, Set<String> methods) {
      return new Rule(
          access, pattern, methods, scopes, access == Access.DEBUG ? plane : null, carveOut);
    }
  }

  /**
   * What the annotations on {@code method} and its declaring {@code type} declare.
   *
   * @return the declaration, or empty if the handler declares no access
   * @throws IllegalArgumentException if the annotations contradict each other, naming the method
   */
  public static Optional<Declared> of(Class<?> type, Method method) {
    return of(type, method, type.getName() + "#" + method.getName());
  }

  /**
   * What the annotations on a method-level and a class-level element declare.
   *
   * @param where names the handler in error messages
   * @throws IllegalArgumentException if the annotations contradict each other
   */
  public static Optional<Declared> of(
      AnnotatedElement typeLevel, AnnotatedElement methodLevel, String where) {
    Declared onMethod = access(methodLevel, where);
    Declared onType = access(typeLevel, where);
    Declared access = onMethod != null ? onMethod : onType;
    if (access == null) {
      return Optional.empty();
    }
    String[] roles = roles(methodLevel);
    if (roles == null) {
      roles = roles(typeLevel);
    }
    if (roles == null || roles.length == 0) {
      return Optional.of(access);
    }
    if (access.access() == Access.PUBLIC || access.access() == Access.DENY) {
      throw new IllegalArgumentException(
          where + ": @RolesAllowed needs a plane, but the handler is " + access.access().id());
    }
    Set<String> scopes = new LinkedHashSet<>(access.scopes());
    scopes.addAll(Arrays.asList(roles));
    return Optional.of(new Declared(access.access(), access.plane(), scopes));
  }

  private static @Nullable Declared access(AnnotatedElement element, String where) {
    List<Declared> found = new ArrayList<>();
    HumanPlane human = element.getAnnotation(HumanPlane.class);
    if (human != null) {
      found.add(new Declared(Access.HUMAN, Plane.HUMAN, Set.of(human.scopes())));
    }
    MachinePlane machine = element.getAnnotation(MachinePlane.class);
    if (machine != null) {
      found.add(new Declared(Access.MACHINE, Plane.MACHINE, Set.of(machine.scopes())));
    }
    PublicRoute publicRoute = element.getAnnotation(PublicRoute.class);
    if (publicRoute != null) {
      found.add(new Declared(Access.PUBLIC, null, Set.of(), publicRoute.carveOut()));
    }
    DebugRoute debug = element.getAnnotation(DebugRoute.class);
    if (debug != null) {
      if (debug.plane() == Plane.DATABASE) {
        throw new IllegalArgumentException(
            where + ": no HTTP route can belong to the database plane");
      }
      found.add(new Declared(Access.DEBUG, debug.plane(), Set.of()));
    }
    for (Annotation a : element.getAnnotations()) {
      String name = a.annotationType().getName();
      if (name.equals(PERMIT_ALL)) {
        found.add(new Declared(Access.PUBLIC, null, Set.of()));
      } else if (name.equals(DENY_ALL)) {
        found.add(new Declared(Access.DENY, null, Set.of()));
      }
    }
    if (found.size() > 1) {
      throw new IllegalArgumentException(
          where + " has " + found.size() + " access annotations on one element; keep one");
    }
    return found.isEmpty() ? null : found.get(0);
  }

  private static String @Nullable [] roles(AnnotatedElement element) {
    for (Annotation a : element.getAnnotations()) {
      if (a.annotationType().getName().equals(ROLES_ALLOWED)) {
        try {
          Object value = a.annotationType().getMethod("value").invoke(a);
          return value instanceof String[] roles ? roles : new String[0];
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
          throw new IllegalStateException("cannot read @RolesAllowed", e);
        }
      }
    }
    return null;
  }
}
