/** The {@code tally} command line: picocli commands that parse options, call the core and print; exit codes in one place. */
package dev.tally.cli;
