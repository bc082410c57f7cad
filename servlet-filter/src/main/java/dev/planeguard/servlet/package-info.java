/**
 * planeguard as a Jakarta Servlet 6 filter. Start at {@link
 * dev.planeguard.servlet.PlaneGuardFilter}.
 */
@NullMarked
package dev.planeguard.servlet;

import org.jspecify.annotations.NullMarked;
