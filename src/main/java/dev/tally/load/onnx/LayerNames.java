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
     * <p>Each scope segment is a module's name as its parent registers it, except that torch.onnx spells
     * children of containers with the container's path in front ({@code features.0} under {@code features});
     * a segment that already starts with the path so far replaces it instead of being appended.
     */
    static String layerOf(String nodeName) {
        if (!nodeName.startsWith("/")) {
            return nodeName;
        }
        String[] segments = nodeName.substring(1).split("/", -1);
        if (segments.length < 2) {
            return nodeName;
        }
        String path = "";
        for (int i = 0; i < segments.length - 1; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                continue;
            }
            if (path.isEmpty()) {
                path = segment;
            } else if (segment.startsWith(path + ".")) {
                path = segment;
            } else {
                path = path + "." + segment;
            }
        }
        return path.isEmpty() ? nodeName : path;
    }
}
