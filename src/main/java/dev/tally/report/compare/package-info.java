/** Models side by side ({@code tally compare}): totals with differences against the first, stages aligned by module path. */
package dev.tally.report.compare;
