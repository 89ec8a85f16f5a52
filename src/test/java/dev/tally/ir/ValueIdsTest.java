package dev.tally.ir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValueIdsTest {
    private static Node node(String name, List<String> inputs, List<String> outputs) {
        return new Node(name, "Add", inputs, outputs, Map.of(), name);
    }

    private static Graph graph(List<Node> nodes) {
        TensorType type = new TensorType(DType.FLOAT32, List.of(Dim.of(1), Dim.of(4)));
        return new Graph("g", List.of(new Value("x", type)), List.of(new Value("y", type)), nodes,
                Map.of("w", new Param("w", Shape.of(4), DType.FLOAT32, Role.PARAM)), Map.of());
    }

    @Test
    void givenNamesComeFirstThenEachNameOnceInNodeOrderWithOmittedOnesMarked() {
        // A fresh string for t0 in the reader, so it is found by hashing, not as the very string the maker gave.
        Graph graph = graph(List.of(
                node("a", List.of("x", "w"), List.of("t0")),
                node("b", List.of(new String("t0"), ""), List.of("", "y"))));
        ValueIds ids = graph.ids();
        assertThat(ids.size()).isEqualTo(4);
        assertThat(List.of(ids.name(0), ids.name(1), ids.name(2), ids.name(3))).containsExactly("x", "w", "t0", "y");
        assertThat(ids.isGiven(ids.id("w"))).isTrue();
        assertThat(ids.isGiven(ids.id("t0"))).isFalse();
        assertThat(ids.input(1, 0)).isEqualTo(ids.output(0, 0));
        assertThat(ids.input(1, 1)).isEqualTo(ValueIds.OMITTED);
        assertThat(ids.output(1, 0)).isEqualTo(ValueIds.OMITTED);
        assertThat(ids.producer(ids.id("y"))).isEqualTo(1);
        assertThat(ids.producer(ids.id("x"))).isEqualTo(-1);
        assertThat(ids.producer(ValueIds.OMITTED)).isEqualTo(-1);
        assertThat(ids.conflictNode()).isEqualTo(-1);
        assertThat(graph.ids()).isSameAs(ids);
    }

    @Test
    void theFirstOutputAlreadyProducedOrGivenIsRememberedNotThrown() {
        ValueIds twice = graph(List.of(
                node("a", List.of("x"), List.of("t0")),
                node("b", List.of("t0"), List.of("y", "t0")))).ids();
        assertThat(twice.conflictNode()).isEqualTo(1);
        assertThat(twice.conflictOutput()).isEqualTo(1);
        assertThat(twice.producer(twice.id("t0"))).isZero();

        ValueIds given = graph(List.of(node("a", List.of("x"), List.of("w")))).ids();
        assertThat(given.conflictNode()).isZero();
        assertThat(given.producer(given.id("w"))).isEqualTo(-1);
    }
}
