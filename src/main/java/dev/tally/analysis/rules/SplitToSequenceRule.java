package dev.tally.analysis.rules;

import dev.tally.analysis.OpContext;
import dev.tally.analysis.OpRule;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.ConstData;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * ONNX SplitToSequence(input, split?; axis, keepdims): the input cut along {@code axis} into a sequence. Without
 * {@code split}, pieces of 1 (the axis dropped when {@code keepdims = 0}); a scalar {@code split}, pieces of that size
 * with a shorter last one; a 1-D {@code split}, pieces of those sizes (they must add up to the axis). Cost 0.
 */
public final class SplitToSequenceRule implements OpRule {
    /** The longest sequence kept: a file declares its sizes, so it must not decide how many tensors are made. */
    static final long MAX_PIECES = 1 << 16;

    @Override
    public List<String> inputs() {
        return List.of("input", "split?");
    }

    private static void limit(OpContext ctx, long pieces) {
        if (pieces > MAX_PIECES) {
            throw ctx.fail("it would make a sequence of " + pieces + " tensors, more than the " + MAX_PIECES
                    + " Tally keeps; the file's sizes are not plausible");
        }
    }

    @Override
    public List<TensorInfo> inferShapes(OpContext ctx) {
        TensorInfo input = ctx.input("input");
        Shape shape = input.shape();
        int axis = Axes.normalize(ctx, ctx.attrLong("axis", 0), shape.rank());
        long size = shape.dim(axis);
        List<Long> pieces = new ArrayList<>();
        boolean keep = true;
        if (ctx.optionalInput("split").isEmpty()) {
            limit(ctx, size);
            for (long i = 0; i < size; i++) {
                pieces.add(1L);
            }
            keep = ctx.attrLong("keepdims", 1) != 0;
        } else {
            ConstData split = ctx.inputData("split");
            if (ctx.input("split").rank() == 0) {
                long piece = split.longAt(0);
                if (piece <= 0) {
                    throw ctx.fail("input 'split' is " + piece + ", expected a positive piece size");
                }
                limit(ctx, (size + piece - 1) / piece);
                for (long at = 0; at < size; at += piece) {
                    pieces.add(Math.min(piece, size - at));
                }
            } else {
                long total = 0;
                for (int i = 0; i < split.size(); i++) {
                    long piece = split.longAt(i);
                    if (piece < 0) {
                        throw ctx.fail("input 'split' holds " + piece + ", expected sizes of 0 or more");
                    }
                    pieces.add(piece);
                    total = Math.addExact(total, piece);
                }
                if (total != size) {
                    throw ctx.fail("input 'split' adds up to " + total + ", but axis " + axis + " has " + size);
                }
            }
        }
        // Known values are cut too: torch.onnx's repeat_interleave splits its repeat counts into a sequence and reads
        // one per Loop iteration as an Expand target (wavernn's upsampling).
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer = Math.multiplyExact(outer, shape.dim(a));
        }
        long inner = 1;
        for (int a = axis + 1; a < shape.rank(); a++) {
            inner = Math.multiplyExact(inner, shape.dim(a));
        }
        List<TensorInfo> elements = new ArrayList<>(pieces.size());
        long start = 0;
        for (long piece : pieces) {
            List<Long> dims = new ArrayList<>(shape.dims());
            if (keep) {
                dims.set(axis, piece);
            } else {
                dims.remove(axis);
            }
            Shape pieceShape = new Shape(dims);
            TensorInfo element = TensorInfo.of(input.dtype(), pieceShape);
            if (input.hasData() && Values.small(pieceShape)) {
                ConstData data = input.data().get();
                double[] doubles = new double[(int) pieceShape.numel()];
                long[] longs = new long[doubles.length];
                int e = 0;
                for (long o = 0; o < outer; o++) {
                    for (long i = start * inner; i < (start + piece) * inner; i++) {
                        int from = (int) (o * size * inner + i);
                        longs[e] = data.longAt(from);
                        doubles[e++] = data.doubleAt(from);
                    }
                }
                element = data.isIntegral() ? Values.of(input.dtype(), pieceShape, longs) : Values.of(input.dtype(), pieceShape, doubles);
            }
            elements.add(input.dataDependent() ? element.asDataDependent() : element);
            start += piece;
        }
        return List.of(TensorInfo.sequence(input.dtype(), elements, Sequences.dataDependent(ctx, "input", "split")));
    }
}
