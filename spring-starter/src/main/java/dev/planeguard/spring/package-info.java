/**
 * planeguard for Spring Boot: auto-configuration of the planeguard filter from {@code planeguard.*}
 * properties, a startup check that lists every problem at once, route coverage of every Spring MVC
 * handler, and Spring Security, Actuator, Micrometer and Flyway integration when those are present.
 *
 * <p>Users add the starter and a policy file; the public types here are only what code may need:
 * {@link dev.planeguard.spring.PlaneGuardProperties}, {@link
 * dev.planeguard.spring.PlaneGuardCustomizer} and {@link
 * dev.planeguard.spring.PlaneGuardAuthentication}.
 */
@NullMarked
package dev.planeguard.spring;

import org.jspecify.annotations.NullMarked;
