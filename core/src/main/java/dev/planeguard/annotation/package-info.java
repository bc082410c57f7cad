/**
 * Declare a handler's auth plane next to the handler. Framework adapters (the Spring Boot starter)
 * turn these declarations into policy rules and merge them with the policy file; the two must
 * agree. See {@link dev.planeguard.RouteDeclarations} for how annotations on classes and methods,
 * and the standard {@code jakarta.annotation.security} annotations, combine.
 */
@NullMarked
package dev.planeguard.annotation;

import org.jspecify.annotations.NullMarked;
