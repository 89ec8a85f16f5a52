/** The tally-maven-plugin's goals: {@code check}, the budget gate, and {@code summary}, the report into target/. */
package dev.tally.maven;
