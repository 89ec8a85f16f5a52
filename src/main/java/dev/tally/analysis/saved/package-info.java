/** What autograd keeps from each op for backward in train mode: one small rule per op family, one table line each. */
package dev.tally.analysis.saved;
