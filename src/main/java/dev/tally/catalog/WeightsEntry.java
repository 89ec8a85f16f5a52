package dev.tally.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One torchvision weights enum member as {@code scripts/make_weights_catalog.py} recorded it.
 *
 * @param task       classification, quantization, segmentation, detection, video or optical_flow
 * @param builder    the builder's name ({@code resnet50})
 * @param weights    the enum member ({@code ResNet50_Weights.IMAGENET1K_V2})
 * @param family     the builder's torchvision module ({@code resnet})
 * @param metrics    {@code meta["_metrics"]} as torchvision gives it: dataset, then metric name, then value; a null
 *                   value is torchvision's NaN, "not published" (VGG16_Weights.IMAGENET1K_FEATURES)
 * @param input      the evaluation input (the weights' crop size; for optical flow one frame, which each of
 *                   {@code inputNames} takes), or empty when the task has no fixed one
 * @param params     parameter elements of the model {@code builder(weights=W)} builds, counted by PyTorch
 * @param bytes      bytes of every state_dict tensor ({@code numel * element size}, params and buffers)
 * @param graph      the structure-only graph's resource under {@code /dev/tally/}, or null ({@code graphNote} says why)
 * @param graphInput the input the graph was exported at
 * @param tracedGraph a structure-only traced TorchScript graph of the same architecture, or null: for the graphs whose
 *                    ONNX export fixed a size the model does not (adaptive pooling, channel shuffle, Swin's windows, batch
 *                    1 in a Reshape), the graph the row is counted on at another input and searched for its fitBatch; for a
 *                    row kept as a TorchScript graph alone, that graph (traced, or scripted for RAFT)
 * @param inputNames the names of the graph's inputs when it has several, each of which takes {@code input} (RAFT's two
 *                    frames, image1 and image2); empty for the one-input graphs
 */
public record WeightsEntry(String task, String builder, String weights, String family,
                           Map<String, Map<String, BigDecimal>> metrics, List<Long> input, long params, long bytes,
                           String graph, List<Long> graphInput, String graphNote, String tracedGraph, List<String> inputNames) {
    /**
     * Published metrics that are errors, lower is better: the end-point errors ({@code epe}, {@code per_image_epe}) and
     * KITTI's {@code fl_all} (the percentage of pixels whose error is an outlier) of the RAFT weights, as their enum's
     * documentation defines them.
     */
    public static final Set<String> ERRORS = Set.of("epe", "per_image_epe", "fl_all");

    public WeightsEntry {
        inputNames = List.copyOf(inputNames);
        Map<String, Map<String, BigDecimal>> copy = new LinkedHashMap<>();
        metrics.forEach((dataset, values) -> copy.put(dataset, Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        metrics = Collections.unmodifiableMap(copy);
        input = List.copyOf(input);
        graphInput = List.copyOf(graphInput);
    }

    static WeightsEntry from(JsonNode json) {
        Map<String, Map<String, BigDecimal>> metrics = new LinkedHashMap<>();
        json.get("metrics").fields().forEachRemaining(dataset -> {
            Map<String, BigDecimal> values = new LinkedHashMap<>();
            dataset.getValue().fields().forEachRemaining(m -> values.put(m.getKey(), m.getValue().isNull() ? null : m.getValue().decimalValue()));
            metrics.put(dataset.getKey(), values);
        });
        return new WeightsEntry(json.get("task").asText(), json.get("builder").asText(), json.get("weights").asText(),
                json.get("family").asText(), metrics, longs(json.get("input")), json.get("params").asLong(),
                json.get("bytes").asLong(), text(json.get("graph")), longs(json.get("graphInput")), text(json.get("graphNote")),
                text(json.get("tracedGraph")), texts(json.get("inputNames")));
    }

    private static List<Long> longs(JsonNode node) {
        List<Long> values = new ArrayList<>();
        if (node != null && !node.isNull()) {
            node.forEach(d -> values.add(d.asLong()));
        }
        return values;
    }

    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node != null && !node.isNull()) {
            node.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    /** The value of {@code metric} ({@code acc@1}) on the first dataset that reports it. */
    public Optional<BigDecimal> metric(String metric) {
        return metrics.values().stream().filter(m -> m.containsKey(metric)).findFirst().map(m -> m.get(metric));
    }

    /**
     * The accuracy the charts and the accuracy column use: the first metric torchvision lists for the first dataset
     * (acc@1, miou, box_map). Optical flow reports errors (end-point error, lower is better), so it has none; the Pareto
     * front compares {@link #benchmark()}, which takes either direction.
     */
    public Optional<String> accuracyMetric() {
        if (metrics.isEmpty() || benchmark().map(Benchmark::lowerIsBetter).orElse(false)) {
            return Optional.empty();
        }
        return metrics.values().iterator().next().keySet().stream().findFirst();
    }

    public Optional<BigDecimal> accuracy() {
        return accuracyMetric().flatMap(this::metric);
    }

    /**
     * The metric the Pareto front compares: the first one torchvision lists, on the first dataset.
     *
     * @param dataset       the dataset it is measured on ({@code ImageNet-1K}, {@code Sintel-Train-Cleanpass}); entries
     *                      are compared only on the same dataset and metric: RAFT's report errors on Sintel's training or
     *                      test split or on KITTI's test split, which are not one scale
     * @param lowerIsBetter whether it is an error ({@link #ERRORS}) rather than an accuracy
     */
    public record Benchmark(String dataset, String metric, BigDecimal value, boolean lowerIsBetter) {
        /** Whether {@code other} was measured the same way, so that the two values compare. */
        public boolean sameAs(Benchmark other) {
            return dataset.equals(other.dataset) && metric.equals(other.metric);
        }

        /** Positive when this value is better than {@code other}'s, in the metric's direction. */
        public int compareTo(Benchmark other) {
            int higher = value.compareTo(other.value);
            return lowerIsBetter ? -higher : higher;
        }
    }

    /** The first dataset's first metric, when torchvision publishes a value for it (VGG16's features entry has NaN). */
    public Optional<Benchmark> benchmark() {
        if (metrics.isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<String, Map<String, BigDecimal>> first = metrics.entrySet().iterator().next();
        if (first.getValue().isEmpty()) {
            return Optional.empty();
        }
        Map.Entry<String, BigDecimal> metric = first.getValue().entrySet().iterator().next();
        return metric.getValue() == null ? Optional.empty()
                : Optional.of(new Benchmark(first.getKey(), metric.getKey(), metric.getValue(), ERRORS.contains(metric.getKey())));
    }
}
