/** JMH benchmarks of the in-process work behind {@code tally summary}, run by {@code scripts/bench}. */
package dev.tally.bench;
