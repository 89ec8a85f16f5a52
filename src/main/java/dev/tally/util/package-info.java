/**
 * What every layer may use and that depends on nothing of ours: {@link dev.tally.util.SecondThread}, the helper thread
 * that gives a large graph's work its second core.
 */
package dev.tally.util;
