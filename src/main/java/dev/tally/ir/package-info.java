/** The graph IR every loader produces and every pass reads: immutable records, no dependencies on the rest of Tally. */
package dev.tally.ir;
