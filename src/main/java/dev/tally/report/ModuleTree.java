package dev.tally.report;

import dev.tally.analysis.Analysis;
import dev.tally.analysis.NodeResult;
import dev.tally.analysis.TensorInfo;
import dev.tally.ir.Param;
import dev.tally.ir.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model as a tree of modules, as torchinfo and PyTorch's {@code print(model)} show it: each module with its
 * class name (when the file records classes: TorchScript), the output of the last node run inside it, and the
 * figures of its whole subtree. A node belongs to the deepest module whose path starts its layer (nodes of the
 * root's own forward belong to the root); a stored tensor no node reads belongs to the module its name starts
 * with. So every node and tensor is counted in exactly one module, and the root's totals are the model's.
 *
 * @param path      the module path ({@code layer1.0}); the root is {@code ""}
 * @param className {@code Bottleneck}, or empty when the file records no classes (ONNX)
 * @param output    the first output of the last node run inside the subtree; empty when none ran or none resolved
 * @param totals    the subtree's figures: its own nodes' and tensors' plus every child's
 */
public record ModuleTree(String path, Optional<String> className, Optional<Shape> output, Totals totals, List<ModuleTree> children) {
    public ModuleTree {
        children = List.copyOf(children);
    }

    /** The tree of {@code analysis}'s model. */
    public static ModuleTree of(Analysis analysis) {
        Map<String, String> classes = analysis.model().moduleClasses();
        Map<String, Builder> modules = new LinkedHashMap<>();
        Builder root = new Builder("");
        modules.put("", root);
        classes.keySet().forEach(path -> module(modules, path));
        // Activation bytes per node as the summary counts them: what each node allocates (docs/conventions.md, Part 3).
        List<Long> allocated = dev.tally.analysis.MemoryPass.run(analysis).allocated();
        for (int i = 0; i < analysis.nodes().size(); i++) {
            NodeResult result = analysis.nodes().get(i);
            Builder owner = owner(modules, classes, result.node().layer());
            owner.own = owner.own.plus(SummaryBuilder.figuresOf(result, allocated.get(i)));
            Optional<Shape> output = result.outputs().isEmpty() ? Optional.empty() : Optional.of(result.outputs().get(0)).map(TensorInfo::shape);
            for (Builder at = owner; at != null; at = at.parent) {
                at.output = output;
            }
        }
        for (Param param : analysis.unusedParams()) {
            Builder owner = owner(modules, classes, param.sourceName());
            owner.own = owner.own.plus(SummaryBuilder.paramFigures(List.of(param)));
        }
        return root.build(classes);
    }

    /** The module a node of {@code layer} (or a tensor so named) belongs to, made with its ancestors when new. */
    private static Builder owner(Map<String, Builder> modules, Map<String, String> classes, String layer) {
        if (classes.isEmpty()) {
            return module(modules, layer);
        }
        for (String path = layer; !path.isEmpty(); path = parentOf(path)) {
            if (modules.containsKey(path)) {
                return modules.get(path);
            }
        }
        return modules.get("");
    }

    private static Builder module(Map<String, Builder> modules, String path) {
        Builder existing = modules.get(path);
        if (existing != null) {
            return existing;
        }
        Builder parent = module(modules, parentOf(path));
        Builder made = new Builder(path);
        made.parent = parent;
        parent.children.add(made);
        modules.put(path, made);
        return made;
    }

    private static String parentOf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** The subtrees in depth-first order, each with its depth below the root (the root is 0). */
    public List<Map.Entry<Integer, ModuleTree>> flatten() {
        List<Map.Entry<Integer, ModuleTree>> rows = new ArrayList<>();
        flatten(0, rows);
        return rows;
    }

    private void flatten(int depth, List<Map.Entry<Integer, ModuleTree>> rows) {
        rows.add(Map.entry(depth, this));
        children.forEach(child -> child.flatten(depth + 1, rows));
    }

    /** The tree as an indented table: module, class, output shape, params and MACs of the subtree. */
    public String render() {
        TextTable table = new TextTable("Module", "Class", "Output shape", "Params", "MACs");
        table.alignRight(3, 4);
        for (Map.Entry<Integer, ModuleTree> row : flatten()) {
            ModuleTree module = row.getValue();
            String name = module.path.isEmpty() ? "(model)" : module.path;
            table.row("  ".repeat(row.getKey()) + name, module.className.orElse(""), Cells.shape(module.output),
                    Units.exact(module.totals.params()), Units.exact(module.totals.macs()));
        }
        return table.renderText()
                + "Params and MACs of a module include its submodules'; the first row is the model's totals.\n";
    }

    private static final class Builder {
        private final String path;
        private final List<Builder> children = new ArrayList<>();
        private Builder parent;
        private Totals own = Totals.ZERO;
        private Optional<Shape> output = Optional.empty();

        Builder(String path) {
            this.path = path;
        }

        ModuleTree build(Map<String, String> classes) {
            List<ModuleTree> built = new ArrayList<>();
            Totals sum = own;
            for (Builder child : children) {
                ModuleTree tree = child.build(classes);
                built.add(tree);
                sum = sum.plus(tree.totals());
            }
            return new ModuleTree(path, Optional.ofNullable(classes.get(path)), output, sum, built);
        }
    }
}
