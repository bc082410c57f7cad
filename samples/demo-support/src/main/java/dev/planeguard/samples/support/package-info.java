/**
 * What the Spring MVC and WebFlux demos share: their local mode, the in-memory model behind their
 * routes, and their startup with its guard. Not deployed.
 */
@NullMarked
package dev.planeguard.samples.support;

import org.jspecify.annotations.NullMarked;
