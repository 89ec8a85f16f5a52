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
}
