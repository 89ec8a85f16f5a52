package dev.tally.report;

import java.util.List;

/** An op type with no rule: how many nodes use it and which, so nothing is silently counted as zero. */
public record UnsupportedOp(String opType, int count, List<String> nodes) {
    public UnsupportedOp {
        nodes = List.copyOf(nodes);
    }
}
