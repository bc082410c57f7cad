/**
 * The Spring WebFlux demo: planeguard's starter and planeguard-webflux guarding the demo routes.
 */
@NullMarked
package dev.planeguard.samples.webflux;

import org.jspecify.annotations.NullMarked;
