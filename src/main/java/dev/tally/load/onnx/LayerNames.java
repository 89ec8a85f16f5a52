package dev.tally.load.onnx;

/**
 * Recovers the PyTorch module path from the node names torch.onnx writes (torch 1.13 and later):
 * {@code /features/features.0/Conv} is op {@code Conv} in module {@code features.0}, and
 * {@code /layer1/layer1.0/conv1/Conv} is in {@code layer1.0.conv1}.
 */
final class LayerNames {
    private LayerNames() {
    }

    /**
     * The module path in a scoped node name, or the node name itself when it carries none (root-module
     * nodes such as {@code /Flatten}, and names from other exporters without a leading slash).
     *
     * <p>Each scope segment is a module's attribute name in its parent, except that torch.onnx spells the
     * children of a container with the container's own segment in front: {@code features.0} under
     * {@code features}, {@code downsample.0} under {@code layer2.0/downsample}. Such a segment adds only its
     * tail ({@code .0}) to the path.
     */
    static String layerOf(String nodeName) {
        if (!nodeName.startsWith("/")) {
            return nodeName;
        }
        String[] segments = nodeName.substring(1).split("/", -1);
        StringBuilder path = new StringBuilder();
        String previous = "";
        for (int i = 0; i < segments.length - 1; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                continue;
            }
            if (!previous.isEmpty() && segment.startsWith(previous + ".")) {
                path.append(segment, previous.length(), segment.length());
            } else {
                path.append(path.length() == 0 ? "" : ".").append(segment);
            }
            previous = segment;
        }
        return path.length() == 0 ? nodeName : path.toString();
    }

    /**
     * torch.onnx names the second and later calls of one module with a suffix ({@code layer1.0.relu_1},
     * {@code relu_2} for ResNet's Bottleneck, which calls its one ReLU three times). When the unsuffixed path is
     * already a layer, the call belongs to that module: its row then ends with the last call's output, as
     * PyTorch's forward hooks and the TorchScript reader see it.
     */
    static String sameModule(String layer, java.util.Set<String> earlierLayers) {
        String base = repeatedCallBase(layer);
        return base != null && earlierLayers.contains(base) ? base : layer;
    }

    /** The path a suffixed call would belong to ({@code relu} of {@code relu_2}); null when the path has no such suffix. */
    static String repeatedCallBase(String layer) {
        // What the pattern needs, checked first without a Matcher (most names have no such suffix): the last '_' not
        // first, followed by at least one digit, the first not 0, and digits only. The pattern still decides.
        int underscore = layer.lastIndexOf('_');
        if (underscore < 1 || underscore + 1 >= layer.length() || layer.charAt(underscore + 1) < '1'
                || layer.charAt(underscore + 1) > '9') {
            return null;
        }
        for (int i = underscore + 2; i < layer.length(); i++) {
            if (layer.charAt(i) < '0' || layer.charAt(i) > '9') {
                return null;
            }
        }
        java.util.regex.Matcher call = REPEATED_CALL.matcher(layer);
        return call.matches() ? call.group(1) : null;
    }

    private static final java.util.regex.Pattern REPEATED_CALL = java.util.regex.Pattern.compile("(.+)_([1-9][0-9]*)");
}
