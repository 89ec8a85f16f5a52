/** Budget gates ({@code tally check}): limits in human units, budget files, baselines, results and JUnit XML. */
package dev.tally.budget;
