/**
 * planeguard for Spring Boot: auto-configuration of the planeguard filter from {@code planeguard.*}
 * properties, a startup check that lists every problem at once, route coverage of every Spring MVC
 * handler, Spring Security, Actuator and Micrometer integration, and the migration gate in front of
 * Flyway and Liquibase (in every application, web or not) when those are present.
 *
 * <p>Users add the starter and a policy file; the public types here are only what code may need:
 * {@link dev.planeguard.spring.PlaneGuardProperties}, {@link
 * dev.planeguard.spring.PlaneGuardCustomizer} and {@link
 * dev.planeguard.spring.PlaneGuardAuthentication}.
 */
@NullMarked
package dev.planeguard.spring;

import org.jspecify.annotations.NullMarked;
