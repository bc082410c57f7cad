package dev.planeguard.spring;

import dev.planeguard.Enforcer;

/**
 * Code-level tuning of the {@link Enforcer} the starter builds: declare beans of this type and each
 * is called, in {@link org.springframework.core.annotation.Order @Order}, with the builder after
 * the properties have been applied and before it is built. Use it for what properties do not cover,
 * such as an {@link dev.planeguard.AuditSink} of your own or a clock.
 * <!-- example: PlaneGuardCustomizer -->
 *
 * <pre>{@code
 * @Bean
 * PlaneGuardCustomizer auditToKafka(AuditPublisher publisher) {
 *   return builder -> builder.auditSink(publisher::publish);
 * }
 * }</pre>
 *
 * <p>The builder's own checks still run when it is built: a customizer cannot configure what the
 * contract forbids.
 */
@FunctionalInterface
public interface PlaneGuardCustomizer {

  /** Adjusts {@code builder}. */
  void customize(Enforcer.Builder builder);
}
