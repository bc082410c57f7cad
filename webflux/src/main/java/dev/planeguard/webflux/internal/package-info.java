/** Implementation details of the WebFlux adapter. Not exported; may change in any release. */
@NullMarked
package dev.planeguard.webflux.internal;

import org.jspecify.annotations.NullMarked;
