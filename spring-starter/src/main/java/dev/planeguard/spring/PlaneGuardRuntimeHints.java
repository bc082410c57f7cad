package dev.planeguard.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.util.ClassUtils;

/**
 * What planeguard reaches by reflection, for applications processed ahead of time (Spring AOT) and
 * compiled to native images: Spring's own AOT processing sees bean definitions, not these.
 *
 * <ul>
 *   <li>the Flyway callback, a JDK proxy of Flyway's {@code Callback};
 *   <li>the annotations planeguard reads from handlers: its own, whose attributes it reads, and
 *       Jakarta {@code @PermitAll}, {@code @DenyAll} and {@code @RolesAllowed}, which it reads by
 *       name so that the Jakarta annotations need not be on the class path;
 *   <li>the suffix-pattern getters of Spring MVC 6's handler mapping, asked by name because Spring
 *       7 no longer has them;
 *   <li>the default policy file, {@code planeguard.policy} on the class path.
 * </ul>
 *
 * Registered in {@code META-INF/spring/aot.factories}.
 */
final class PlaneGuardRuntimeHints implements RuntimeHintsRegistrar {

  static final String FLYWAY_CALLBACK = "org.flywaydb.core.api.callback.Callback";
  static final String MVC_MAPPING =
      "org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping";

  /** Annotations whose attributes planeguard reads reflectively. */
  static final String[] ANNOTATIONS = {
    "dev.planeguard.annotation.HumanPlane",
    "dev.planeguard.annotation.MachinePlane",
    "dev.planeguard.annotation.PublicRoute",
    "dev.planeguard.annotation.DebugRoute",
    "jakarta.annotation.security.PermitAll",
    "jakarta.annotation.security.DenyAll",
    "jakarta.annotation.security.RolesAllowed",
  };

  @Override
  public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
    if (ClassUtils.isPresent(FLYWAY_CALLBACK, classLoader)) {
      hints.proxies().registerJdkProxy(TypeReference.of(FLYWAY_CALLBACK));
    }
    for (String annotation : ANNOTATIONS) {
      hints
          .reflection()
          .registerType(TypeReference.of(annotation), MemberCategory.INVOKE_PUBLIC_METHODS);
    }
    if (ClassUtils.isPresent(MVC_MAPPING, classLoader)) {
      hints
          .reflection()
          .registerType(TypeReference.of(MVC_MAPPING), MemberCategory.INVOKE_PUBLIC_METHODS);
    }
    hints
        .resources()
        .registerPattern(PlaneGuardProperties.DEFAULT_POLICY_LOCATION.replace("classpath:", ""));
  }
}
