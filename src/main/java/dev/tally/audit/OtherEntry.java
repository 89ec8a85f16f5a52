package dev.tally.audit;

/** A top-level entry of the checkpoint that is not the state_dict ({@code epoch: 90}, {@code optimizer: dict ...}). */
public record OtherEntry(String name, String description) {
}
