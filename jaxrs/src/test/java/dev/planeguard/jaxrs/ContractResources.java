package dev.planeguard.jaxrs;

import dev.planeguard.Plane;
import dev.planeguard.Principal;
import dev.planeguard.RouteCoverage;
import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import dev.planeguard.contract.ContractApp;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.SecurityContext;
import java.lang.annotation.Annotation;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.annotation.AnnotationDescription;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.bind.annotation.Argument;

/**
 * The contract's routes as Jakarta REST resource classes, written as an application would write
 * them: one class per route with its {@code @Path}, one method per HTTP method, and the plane a
 * route declares as {@code @HumanPlane} or {@code @MachinePlane} on the class. The routes are only
 * known when the suite runs, so the classes are generated (Byte Buddy); the runtime and {@link
 * ResourceModel} read them like any other.
 */
final class ContractResources {

  private ContractResources() {}

  private static final Map<String, Class<? extends Annotation>> METHODS =
      Map.of(
          "GET", GET.class,
          "POST", POST.class,
          "PUT", PUT.class,
          "DELETE", DELETE.class,
          "PATCH", PATCH.class,
          "HEAD", HEAD.class,
          "OPTIONS", OPTIONS.class);

  /** What every generated resource method calls. */
  public static final class Handler {
    private final ContractApp app;
    private final String route;

    Handler(ContractApp app, String route) {
      this.app = app;
      this.route = route;
    }

    public String handle(@Argument(0) Request request, @Argument(1) SecurityContext security) {
      Principal principal = security.getUserPrincipal() instanceof Principal p ? p : null;
      return app.handle(route, request.getMethod(), principal);
    }
  }

  static Set<Class<?>> classes(ContractApp app) {
    Set<Class<?>> classes = new LinkedHashSet<>();
    List<ContractApp.Route> routes = app.routes();
    for (int i = 0; i < routes.size(); i++) {
      ContractApp.Route route = routes.get(i);
      DynamicType.Builder<Object> b =
          new ByteBuddy()
              .subclass(Object.class)
              .name("dev.planeguard.jaxrs.generated.Route" + i + "_" + route.name())
              .annotateType(
                  AnnotationDescription.Builder.ofType(Path.class)
                      .define("value", jaxrsPath(route.path()))
                      .build());
      if (route.declared() == Plane.HUMAN) {
        b = b.annotateType(AnnotationDescription.Builder.ofType(HumanPlane.class).build());
      } else if (route.declared() == Plane.MACHINE) {
        b = b.annotateType(AnnotationDescription.Builder.ofType(MachinePlane.class).build());
      }
      Handler handler = new Handler(app, route.name());
      for (String method : new TreeSet<>(route.methods())) {
        b =
            b.defineMethod(method.toLowerCase(Locale.ROOT), String.class, Visibility.PUBLIC)
                .withParameter(Request.class, "request")
                .annotateParameter(AnnotationDescription.Builder.ofType(Context.class).build())
                .withParameter(SecurityContext.class, "security")
                .annotateParameter(AnnotationDescription.Builder.ofType(Context.class).build())
                .intercept(MethodDelegation.to(handler))
                .annotateMethod(
                    AnnotationDescription.Builder.ofType(METHODS.get(method)).build(),
                    AnnotationDescription.Builder.ofType(Produces.class)
                        .defineArray("value", "text/plain")
                        .build());
      }
      classes.add(
          b.make()
              .load(ContractResources.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
              .getLoaded());
    }
    return classes;
  }

  /**
   * The feature for these classes: coverage computed from the resource model, confirmation at
   * dispatch, with the suite's enforcer, realm and request id header.
   */
  static PlaneGuardFeature feature(ContractApp app, Set<Class<?>> classes) {
    ResourceModel resources = ResourceModel.of("", classes);
    RouteCoverage coverage = RouteCoverage.of(app.enforcer().policy(), resources.handlers());
    return PlaneGuardFeature.builder(app.enforcer(), coverage, resources)
        .realm(app.realm())
        .requestIdHeader(app.requestIdHeader())
        .build();
  }

  /** The contract's path syntax in Jakarta REST's: {@code {*rest}} is {@code {rest: .+}}. */
  static String jaxrsPath(String path) {
    return path.replaceAll("\\{\\*([A-Za-z_][A-Za-z0-9_]*)}", "{$1: .+}");
  }
}
