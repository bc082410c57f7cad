/**
 * Test harness shared with the other modules' tests through planeguard-core's test-jar: {@link
 * dev.planeguard.testing.OutputCapture} captures everything a scenario prints (SLF4J Simple writes
 * to {@code System.err}), {@link dev.planeguard.testing.LeakCheck} asserts that no secret used in
 * the scenario appears in that output, in exceptions or in {@code toString()}, and {@link
 * dev.planeguard.testing.FakeSecrets} makes obviously fake values shaped like real keys.
 */
@NullMarked
package dev.planeguard.testing;

import org.jspecify.annotations.NullMarked;
