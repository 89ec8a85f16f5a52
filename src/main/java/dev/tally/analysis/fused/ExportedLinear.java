package dev.tally.analysis.fused;

import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nn.Linear} on a 3-D input as torch.onnx writes it: {@code Add(MatMul(x, W), b)} with W and b stored tensors
 * (in either order of the Add's inputs), the product read by that Add only. Torch 1.13's {@code linear} runs a
 * contiguous 3-D input with a bias as one {@code addmm} over its rows ({@code _flatten_3d_linear}): one new tensor
 * where the export makes two. Any other rank, or a strided input, runs {@code matmul} then an out-of-place
 * {@code add}, two tensors as in the file (ConvNeXt's and Swin's MLPs on {@code [N, H, W, C]}), so the pattern asks
 * for a 3-D, contiguous x.
 */
public final class ExportedLinear implements ExportedOp {
    @Override
    public List<Fusion> find(Dataflow graph) {
        List<Node> nodes = graph.nodes();
        List<Fusion> found = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node add = nodes.get(k);
            if (!add.opType().equals("Add") || add.inputs().size() != 2) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                String product = add.inputs().get(side);
                int matmul = graph.producer(product);
                if (matmul < 0 || !graph.isWeight(add.inputs().get(1 - side)) || graph.rank(add.inputs().get(1 - side)) != 1) {
                    continue;
                }
                Node made = nodes.get(matmul);
                if (made.opType().equals("MatMul") && made.inputs().size() == 2 && graph.isWeight(made.inputs().get(1))
                        && graph.rank(made.inputs().get(0)) == 3 && graph.readers(product) == 1) {
                    found.add(new Fusion("linear", List.of(matmul, k), -1, 0));
                    break;
                }
            }
        }
        return found;
    }
}
