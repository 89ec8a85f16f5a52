/** Loading model files into the IR: format detection by content, and one subpackage per format. */
package dev.tally.load;
