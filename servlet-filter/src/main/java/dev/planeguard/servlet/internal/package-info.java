/** Implementation details of the servlet filter. Not exported; may change in any release. */
@NullMarked
package dev.planeguard.servlet.internal;

import org.jspecify.annotations.NullMarked;
