/** Implementation details of the Jakarta REST adapter. Not exported; may change in any release. */
@NullMarked
package dev.planeguard.jaxrs.internal;

import org.jspecify.annotations.NullMarked;
