package dev.planeguard.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The handler is public: no credential needed, none examined. Equivalent to a policy rule {@code
 * public <pattern>}. It never silently downgrades a route the policy file protects: that is a
 * startup error. A public handler whose path lies under a human or machine rule (of the policy file
 * or of another handler) is a hole in a protected subtree, refused at startup unless it says
 * {@code @PublicRoute(carveOut = true)}, the policy file's {@code carve-out=yes}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface PublicRoute {
  /**
   * Whether the handler is meant to open a hole in a human or machine rule that also matches its
   * path. Marking a handler that opens no hole is refused too.
   */
  boolean carveOut() default false;
}
