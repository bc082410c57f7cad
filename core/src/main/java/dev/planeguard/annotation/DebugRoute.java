package dev.planeguard.annotation;

import dev.planeguard.Plane;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A debug handler: 404 in prod; elsewhere it requires the credential of {@link #plane()}.
 * Equivalent to a policy rule {@code debug <pattern> plane=...}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface DebugRoute {

  /** {@link Plane#HUMAN} or {@link Plane#MACHINE}. */
  Plane plane();
}
