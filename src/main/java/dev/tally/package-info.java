/** Tally's public Java API: {@link dev.tally.Tally#analyze} gives the summary of a model file. */
package dev.tally;
