/** The Spring Boot demo: planeguard's starter guarding the demo routes. */
@NullMarked
package dev.planeguard.samples.boot;

import org.jspecify.annotations.NullMarked;
