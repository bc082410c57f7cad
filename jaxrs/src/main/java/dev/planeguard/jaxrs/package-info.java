/**
 * planeguard for Jakarta REST: {@link dev.planeguard.jaxrs.ResourceModel} describes the
 * application's resource methods to planeguard at startup, and {@link
 * dev.planeguard.jaxrs.PlaneGuardFeature} decides every request before the runtime matches it and
 * confirms the resource method it matched.
 */
@NullMarked
package dev.planeguard.jaxrs;

import org.jspecify.annotations.NullMarked;
