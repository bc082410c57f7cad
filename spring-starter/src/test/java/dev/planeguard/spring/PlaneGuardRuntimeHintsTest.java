package dev.planeguard.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.planeguard.annotation.HumanPlane;
import dev.planeguard.annotation.MachinePlane;
import java.lang.reflect.Method;
import org.flywaydb.core.api.callback.Callback;
import org.junit.jupiter.api.Test;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The hints a native image of an application with the starter needs, and that Spring finds them.
 */
class PlaneGuardRuntimeHintsTest {

  private final RuntimeHints hints = new RuntimeHints();

  PlaneGuardRuntimeHintsTest() {
    new PlaneGuardRuntimeHints().registerHints(hints, getClass().getClassLoader());
  }

  @Test
  void springFindsTheRegistrar() {
    assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
        .hasAtLeastOneElementOfType(PlaneGuardRuntimeHints.class);
  }

  @Test
  void theFlywayCallbackProxyIsDeclared() {
    assertThat(RuntimeHintsPredicates.proxies().forInterfaces(Callback.class)).accepts(hints);
    // The proxy the gate really makes implements exactly that interface.
    Object callback =
        FlywayMigrationGate.callback(
            dev.planeguard.MigrationGate.of(java.util.Map.of("AOS_MODE", "local")));
    assertThat(callback.getClass().getInterfaces()).containsExactly(Callback.class);
  }

  @Test
  void annotationAttributesPlaneguardReadsAreInvocable() throws NoSuchMethodException {
    for (Class<?> annotation : new Class<?>[] {HumanPlane.class, MachinePlane.class}) {
      for (Method attribute : annotation.getDeclaredMethods()) {
        assertThat(RuntimeHintsPredicates.reflection().onMethod(attribute)).accepts(hints);
      }
    }
    Method value = jakarta.annotation.security.RolesAllowed.class.getMethod("value");
    assertThat(RuntimeHintsPredicates.reflection().onMethod(value)).accepts(hints);
  }

  @Test
  void theHandlerMappingIsReflectable() {
    assertThat(
            RuntimeHintsPredicates.reflection()
                .onType(RequestMappingHandlerMapping.class)
                .withMemberCategory(
                    org.springframework.aot.hint.MemberCategory.INVOKE_PUBLIC_METHODS))
        .accepts(hints);
  }

  @Test
  void theDefaultPolicyFileIsIncluded() {
    assertThat(RuntimeHintsPredicates.resource().forResource("planeguard.policy")).accepts(hints);
  }
}
