/** One small class per op, its shape rule and cost rule side by side, and the table that registers them. */
package dev.tally.analysis.rules;
