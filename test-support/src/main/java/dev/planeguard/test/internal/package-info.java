/** Implementation of the test kit. Not exported; may change in any release. */
@NullMarked
package dev.planeguard.test.internal;

import org.jspecify.annotations.NullMarked;
