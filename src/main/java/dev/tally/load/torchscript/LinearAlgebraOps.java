package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.Shape;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import java.util.List;
import java.util.Map;

/**
 * Matrix products from TorchScript code: {@code linear}, {@code addmm} (Gemm), {@code matmul}, {@code mm},
 * {@code bmm} (MatMul), {@code baddbmm} (MatMul and Add), {@code einsum}, and {@code nn.MultiheadAttention}'s fused self-attention
 * ({@code _native_multi_head_attention}) written out as the projections and products it performs.
 */
final class LinearAlgebraOps extends AtenFamily {

    LinearAlgebraOps(GraphBuilder graph) {
        super(graph);
        put(this::linear, "linear");
        put(this::addmm, "addmm");
        put(this::matmul, "matmul", "mm", "bmm");
        put(this::baddbmm, "baddbmm");
        put(this::multiHeadAttention, "_native_multi_head_attention");
        put(this::einsum, "einsum");
    }

    private Object linear(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "input", "weight", "bias");
        return emit("Linear", site, attrs(), a.tensor("input"), a.tensor("weight"), a.optionalTensor("bias"));
    }

    private Object addmm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "mat1", "mat2", "beta", "alpha");
        return emit("Gemm", site, attrs("alpha", new Attribute.Float(a.real("alpha", 1)), "beta", new Attribute.Float(a.real("beta", 1))),
                a.tensor("mat1"), a.tensor("mat2"), a.tensor("self"));
    }

    private Object matmul(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "other");
        return emit("MatMul", site, attrs(), a.tensor("self"), a.tensor("other"));
    }

    private Object baddbmm(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // beta * self + alpha * (batch1 @ batch2): MultiheadAttention adds its mask to the scores this way. The product
        // is a MatMul (out numel x K MACs, as the aten counter counts baddbmm); a scaling by 1 is no operation.
        Args a = bind(name, args, kw, "self", "batch1", "batch2", "beta", "alpha");
        TensorValue product = emit("MatMul", site, attrs(), a.tensor("batch1"), a.tensor("batch2"));
        if (a.real("alpha", 1) != 1) {
            product = emit("Mul", site, attrs(), product, a.tensor("alpha"));
        }
        double beta = a.real("beta", 1);
        if (beta == 0) {
            return product;
        }
        TensorValue self = beta == 1 ? a.tensor("self") : emit("Mul", site, attrs(), a.tensor("self"), a.tensor("beta"));
        return emit("Add", site, attrs(), self, product);
    }

    private Object multiHeadAttention(String name, List<Object> args, Map<String, Object> kw, Site site) {
        return selfAttention(bind(name, args, kw, "query", "key", "value", "embed_dim", "num_head", "qkv_weight",
                "qkv_bias", "proj_weight", "proj_bias", "mask", "need_weights", "average_attn_weights", "mask_type"), site);
    }

    private Object einsum(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "equation", "tensors", "path");
        TensorValue[] inputs = AtenOps.tensorItems(a.get("tensors"));
        if (inputs == null) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("Einsum", site, attrs("equation", new Attribute.Str(a.string("equation", ""))), inputs);
    }

    /**
     * The fused self-attention of {@code nn.MultiheadAttention}'s fast path, written out as the ops it performs
     * (those of {@code F.multi_head_attention_forward}): input projection, per-head scores, softmax, weighted sum,
     * output projection. Only self-attention without a mask; anything else stays unsupported.
     */
    private Object selfAttention(Args a, Site site) {
        TensorValue query = a.tensor("query");
        if (a.has("mask") || a.flag("need_weights", true) || !query.known() || query.info().rank() != 3
                || !a.tensor("key").name().equals(query.name()) || !a.tensor("value").name().equals(query.name())) {
            return AtenOps.NOT_HANDLED;
        }
        Shape shape = query.info().shape();
        long batch = shape.dim(0);
        long length = shape.dim(1);
        long embed = a.integer("embed_dim", shape.dim(2));
        long heads = a.integer("num_head", 1);
        long headDim = embed / heads;
        TensorValue qkv = emit("Linear", site, attrs(), query, a.tensor("qkv_weight"), a.optionalTensor("qkv_bias"));
        List<TensorValue> parts = graph.emit("Split", List.of(qkv.name(), graph.ints(embed, embed, embed).name()),
                attrs("axis", new Attribute.Int(-1)), 3, site.layer(), site.source());
        TensorValue[] byHead = new TensorValue[3];
        for (int i = 0; i < 3; i++) {
            TensorValue split = emit("Reshape", site, attrs(), parts.get(i), graph.ints(batch, length, heads, headDim));
            byHead[i] = emit("Transpose", site, attrs("perm", Attribute.ints(0, 2, 1, 3)), split);
        }
        TensorValue keysT = emit("Transpose", site, attrs("perm", Attribute.ints(0, 1, 3, 2)), byHead[1]);
        TensorValue scores = emit("MatMul", site, attrs(), byHead[0], keysT);
        TensorValue scaled = emit("Mul", site, attrs(), scores, graph.scalar(1.0 / Math.sqrt(headDim)));
        TensorValue weights = emit("Softmax", site, attrs("axis", new Attribute.Int(-1)), scaled);
        TensorValue context = emit("MatMul", site, attrs(), weights, byHead[2]);
        TensorValue merged = emit("Transpose", site, attrs("perm", Attribute.ints(0, 2, 1, 3)), context);
        TensorValue flat = emit("Reshape", site, attrs(), merged, graph.ints(batch, length, embed));
        TensorValue out = emit("Linear", site, attrs(), flat, a.tensor("proj_weight"), a.optionalTensor("proj_bias"));
        return new TupleValue(java.util.Arrays.asList(out, null));
    }
}
