/** A plain-servlet application guarded by planeguard: embedded Tomcat and PlaneGuardFilter. */
@NullMarked
package dev.planeguard.samples.servlet;

import org.jspecify.annotations.NullMarked;
