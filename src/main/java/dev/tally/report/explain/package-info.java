/** {@code tally explain}: every figure of a layer derived step by step, and the renderers of derivations. */
package dev.tally.report.explain;
