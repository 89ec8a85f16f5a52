package dev.tally.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Graph;
import dev.tally.ir.Node;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.Value;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdValuesTest {
    @Test
    void behavesAsAHashMapOfTheSameEntriesForTheGraphsNamesAndOthers() {
        TensorType type = new TensorType(DType.FLOAT32, List.of(Dim.of(2)));
        Graph graph = new Graph("g", List.of(new Value("x", type)), List.of(new Value("t0", type)),
                List.of(new Node("a", "Relu", List.of("x"), List.of("t0"), Map.of(), "a")), Map.of(), Map.of());
        IdValues values = new IdValues(graph.ids());
        Map<String, TensorInfo> expected = new HashMap<>();
        TensorInfo two = TensorInfo.of(DType.FLOAT32, Shape.of(2));
        TensorInfo three = TensorInfo.of(DType.INT64, Shape.of(3));
        for (Map<String, TensorInfo> map : List.of(values, expected)) {
            assertThat(map.put("x", two)).isNull();
            assertThat(map.put("t0", two)).isNull();
            assertThat(map.put("t0", three)).isSameAs(two);
            assertThat(map.put("inner", three)).isNull(); // not a name of the graph (a subgraph's)
            assertThat(map.remove("x")).isSameAs(two);
            assertThat(map.remove("nothing")).isNull();
        }
        assertThat(values).isEqualTo(expected);
        assertThat(values.size()).isEqualTo(2);
        assertThat(values.get("t0")).isSameAs(three);
        assertThat(values.get(graph.ids().id("t0"))).isSameAs(three);
        assertThat(values.get(-1)).isNull();
        assertThat(values.containsKey("x")).isFalse();
        assertThat(values.containsKey("inner")).isTrue();
        assertThat(new HashMap<>(values)).isEqualTo(expected);
    }
}
