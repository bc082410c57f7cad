/** planeguard for Spring WebFlux. Start at {@link dev.planeguard.webflux.PlaneGuardWebFilter}. */
@NullMarked
package dev.planeguard.webflux;

import org.jspecify.annotations.NullMarked;
