package dev.tally.audit;

/** A global the file references, how often, how worrying and why. */
public record Finding(GlobalRef global, int references, Severity severity, String reason) {
}
