package dev.tally.analysis.fused;

import dev.tally.ir.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * SiLU as torch.onnx writes it: {@code Mul(x, Sigmoid(x))}, the Sigmoid's result read by that Mul only. PyTorch ran
 * one {@code silu}: torchvision builds {@code nn.SiLU(inplace=True)} into its conv blocks (EfficientNet), so the op
 * writes into x when nothing reads x afterwards, as for the clamp activations of an ONNX file ({@code Aliasing}), and
 * makes one new tensor otherwise; the export makes two.
 */
public final class ExportedSilu implements ExportedOp {
    @Override
    public List<Fusion> find(Dataflow graph) {
        List<Node> nodes = graph.nodes();
        List<Fusion> found = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            Node mul = nodes.get(k);
            if (!mul.opType().equals("Mul") || mul.inputs().size() != 2) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                int sigmoid = graph.producer(mul.inputs().get(side));
                if (sigmoid >= 0 && nodes.get(sigmoid).opType().equals("Sigmoid") && nodes.get(sigmoid).inputs().size() == 1
                        && nodes.get(sigmoid).inputs().get(0).equals(mul.inputs().get(1 - side))
                        && graph.readers(mul.inputs().get(side)) == 1) {
                    found.add(new Fusion("silu_", List.of(sigmoid, k), 0, -1));
                    break;
                }
            }
        }
        return found;
    }
}
