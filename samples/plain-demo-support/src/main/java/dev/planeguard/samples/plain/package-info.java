/**
 * What the framework-free demos (plain servlet, Jakarta REST) share: their settings, local mode and
 * printed commands. Not deployed.
 */
@NullMarked
package dev.planeguard.samples.plain;

import org.jspecify.annotations.NullMarked;
