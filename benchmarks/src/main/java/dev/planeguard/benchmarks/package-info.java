/**
 * JMH benchmarks. Results are ratios against baselines measured in the same run; see {@code
 * benchmarks/README.md}.
 */
@NullMarked
package dev.planeguard.benchmarks;

import org.jspecify.annotations.NullMarked;
