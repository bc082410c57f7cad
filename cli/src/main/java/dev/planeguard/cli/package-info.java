/** The {@code planeguard} command line. Not an API: run it with {@code java -jar}. */
@NullMarked
package dev.planeguard.cli;

import org.jspecify.annotations.NullMarked;
