/** Implementation details. Not exported by the module; may change in any release. */
@NullMarked
package dev.planeguard.internal;

import org.jspecify.annotations.NullMarked;
