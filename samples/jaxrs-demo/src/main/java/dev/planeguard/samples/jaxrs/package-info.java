/** A Jakarta REST application guarded by planeguard: Jersey on Grizzly and PlaneGuardFeature. */
@NullMarked
package dev.planeguard.samples.jaxrs;

import org.jspecify.annotations.NullMarked;
