package dev.planeguard.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The handler belongs to the machine plane: an API key in {@code X-AOS-Key}. Equivalent to a policy
 * rule {@code machine <pattern> [scopes=...]}. On a class it applies to every handler method
 * without an access annotation of its own.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface MachinePlane {

  /** Scopes the key must hold, all of them; none by default. */
  String[] scopes() default {};
}
