/**
 * Plane-separated authentication enforcement.
 *
 * <p>Start at {@link dev.planeguard.Enforcer}: it applies the decision table to one request, using
 * a {@link dev.planeguard.Contract} (which mode this process runs in) and a {@link
 * dev.planeguard.Policy} (which auth plane each route belongs to).
 */
@NullMarked
package dev.planeguard;

import org.jspecify.annotations.NullMarked;
