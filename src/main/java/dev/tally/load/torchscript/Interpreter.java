package dev.tally.load.torchscript;

import dev.tally.ir.ModelException;
import dev.tally.ir.Param;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.load.pytorch.TorchObject;
import dev.tally.load.torchscript.Ast.Expr;
import dev.tally.load.torchscript.Ast.Stmt;
import dev.tally.load.torchscript.Values.BoundMethod;
import dev.tally.load.torchscript.Values.BoundObjectMethod;
import dev.tally.load.torchscript.Values.ObjectValue;
import dev.tally.load.torchscript.Values.ModuleValue;
import dev.tally.load.torchscript.Values.Namespace;
import dev.tally.load.torchscript.Values.TensorValue;
import dev.tally.load.torchscript.Values.TupleValue;
import dev.tally.load.torchscript.Values.Undecided;
import dev.tally.load.torchscript.Values.Unknown;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs the serialized {@code forward} code symbolically: Python scalars and lists are computed, module
 * attribute reads resolve against the module tree, {@code (sub).forward(x)} recurses with the submodule's path as
 * the layer, and every tensor op becomes an IR node (see {@link AtenOps}). Branches are decided on constants and
 * on shapes the rules worked out; when a condition cannot be known and one branch only raises (an input check),
 * the other branch is taken, as it is the one a valid input runs.
 */
final class Interpreter {
    private static final Set<String> NAMESPACE_ROOTS = Set.of(
            "torch", "ops", "__torch__", "math", "Tensor", "List", "Optional", "Tuple", "Dict", "NoneType", "Final",
            "Any", "Union", "int", "float", "bool", "str", "Device", "NamedTuple", "Module", "__builtins__",
            // TorchScript's Scalar type, in traced code's annotate(number, k_t) (MViT's pooled sizes, RAFT, HDemucs).
            "number");
    private static final int MAX_DEPTH = 200;
    private static final long MAX_LOOP_STEPS = 1_000_000;

    private final String fileName;
    private final CodeLibrary library;
    private final GraphBuilder graph;
    private final Map<TorchObject, Map<String, Param>> stored;
    private final List<Object> constants;
    private final AtenOps aten;
    private final Gaps gaps = new Gaps();
    /** The tensor each view op's result is a view of, at its root ({@link #staleView}). */
    private final Map<String, String> viewBase = new HashMap<>();
    /** Ops whose result shares its first argument's storage: an in-place write to it writes that tensor. */
    private static final Set<String> VIEW_OPS = Set.of("select", "slice", "narrow", "diagonal", "__getitem__");
    /** Attributes the code assigns on modules while it runs, over the pickled ones. */
    private final Map<TorchObject, Map<String, Object>> moduleWrites = new IdentityHashMap<>();
    private boolean followGaps;
    private int depth;

    /** Where the interpreter is: the code file and line, and the module path nodes made here belong to. */
    record Site(String record, int line, String layer) {
        String source() {
            return record + ":" + line;
        }
    }

    /** Raised by {@code ops.prim.RaiseException}: the model's own code refusing the input. */
    static final class RaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Frame {
        final Map<String, Object> locals = new HashMap<>();
        /**
         * The Python variable each named local stands for, and the tensors it held when bound: see {@link #bind}.
         * Keyed by the variable (the printed name without its counter), so {@code out0 = f(out)} rebinds {@code out}.
         */
        final Map<String, Binding> bindings = new HashMap<>();
        final ModuleValue self;
        final String record;
        Object returned;

        Frame(ModuleValue self, String record) {
            this.self = self;
            this.record = record;
        }

        String layer() {
            return self == null ? "" : self.path();
        }
    }

    private enum Flow { NEXT, BREAK, CONTINUE, RETURN }

    /** A local's printed name and the graph names of the tensors its value held when it was bound. */
    private record Binding(String name, List<String> tensors) {}

    /** Temporaries the TorchScript printer made up ({@code _0}, {@code _12}): no Python local holds them. */
    private static boolean temporary(String name) {
        return name.startsWith("_") && name.chars().skip(1).allMatch(c -> c >= '0' && c <= '9');
    }

    Interpreter(String fileName, CodeLibrary library, GraphBuilder graph, IdentityHashMap<TorchObject, Map<String, Param>> stored,
                List<Object> constants) {
        this.fileName = fileName;
        this.library = library;
        this.graph = graph;
        this.stored = stored;
        this.constants = constants;
        this.aten = new AtenOps(fileName, graph);
    }

    GraphBuilder graph() {
        return graph;
    }

    /**
     * From now on a statement that cannot be followed (a value computed from data, a construct Tally does not know)
     * becomes a gap at its line instead of ending the run: see {@link #gap}.
     */
    void followGaps() {
        followGaps = true;
    }

    /** The statements not followed so far, in the order they ran. */
    List<Gaps.Gap> gaps() {
        return gaps.all();
    }

    /** Calls {@code module.method(args)}; the layer of the nodes made is the module's path. */
    Object callMethod(ModuleValue module, String method, List<Object> args, Map<String, Object> keywords, Site caller) {
        CodeLibrary.ClassInfo info = classOf(module, caller);
        Ast.FunctionDef definition = info.methods().get(method);
        if (definition == null) {
            throw error(caller, "the module '" + display(module) + "' (" + info.qualifiedName() + ") has no method '" + method + "'");
        }
        List<Object> withSelf = new ArrayList<>();
        withSelf.add(module);
        withSelf.addAll(args);
        return invoke(definition, info.record(), module, withSelf, keywords, caller);
    }

    private CodeLibrary.ClassInfo classOf(ModuleValue module, Site caller) {
        return library.classInfo(module.object().className()).orElseThrow(() -> error(caller,
                "the code of class '" + module.object().className() + "' is missing from the archive"));
    }

    private Object invoke(Ast.FunctionDef definition, String record, ModuleValue self, List<Object> args,
                          Map<String, Object> keywords, Site caller) {
        if (++depth > MAX_DEPTH) {
            throw error(caller, "calls nest deeper than " + MAX_DEPTH + " levels");
        }
        try {
            Frame frame = new Frame(self, record);
            List<Ast.Parameter> parameters = definition.parameters();
            if (args.size() > parameters.size()) {
                throw error(caller, "'" + definition.name() + "' takes " + parameters.size() + " arguments, but the code passes " + args.size());
            }
            for (int i = 0; i < parameters.size(); i++) {
                Ast.Parameter parameter = parameters.get(i);
                Object value;
                if (i < args.size()) {
                    value = args.get(i);
                } else if (keywords.containsKey(parameter.name())) {
                    value = keywords.get(parameter.name());
                } else if (parameter.defaultValue() != null) {
                    value = eval(parameter.defaultValue(), new Frame(null, record), definition.line());
                } else {
                    throw error(caller, "'" + definition.name() + "' needs its argument '" + parameter.name() + "'");
                }
                bind(frame, parameter.name(), parameter.name(), value);
                frame.locals.put(parameter.name(), value);
            }
            execute(definition.body(), frame);
            release(frame);
            return frame.returned;
        } finally {
            depth--;
        }
    }

    // ---- statements --------------------------------------------------------------------------------------

    private Flow execute(List<Stmt> body, Frame frame) {
        for (Stmt stmt : body) {
            Flow flow;
            try {
                flow = execute(stmt, frame);
            } catch (ShapeDependentException | UnfollowedException e) {
                if (!followGaps) {
                    throw e;
                }
                flow = gap(stmt, frame, e);
            }
            if (flow != Flow.NEXT) {
                return flow;
            }
        }
        return Flow.NEXT;
    }

    /**
     * A statement the interpreter cannot follow becomes one node of op type {@link TorchScriptLoader#UNFOLLOWED} at its
     * line, which has no rule and so is listed, never counted as zero. It reads the tensors the statement reads, and
     * every name the statement assigns (or list it changes in place) holds one of its outputs afterwards: a value of
     * unknown shape, so every node computed from it is unresolved and left out of the totals, and every decision on it
     * is another gap. A statement that holds a {@code return} ends its function with such a value. What ran before
     * the statement, and whatever later code does not read its values, is counted as usual.
     */
    private Flow gap(Stmt stmt, Frame frame, ModelException e) {
        String source = site(frame, stmt.line()).source();
        String prefix = fileName + ": ";
        String reason = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
        gaps.add(source, reason);
        List<String> inputs = new ArrayList<>();
        for (String name : Gaps.read(stmt)) {
            if (frame.locals.containsKey(name)) {
                collectTensorNames(frame.locals.get(name), inputs, 0);
            }
        }
        List<String> targets = new ArrayList<>(Gaps.assigned(stmt));
        boolean returns = Gaps.returns(stmt);
        int outputs = targets.size() + (returns ? 1 : 0);
        List<TensorValue> values = graph.emit(TorchScriptLoader.UNFOLLOWED, inputs.stream().distinct().toList(), Map.of(),
                outputs, source, source);
        for (int i = 0; i < targets.size(); i++) {
            frame.locals.put(targets.get(i), graph.markGap(values.get(i)));
        }
        if (returns) {
            frame.returned = graph.markGap(values.get(targets.size()));
            return Flow.RETURN;
        }
        return Flow.NEXT;
    }

    /** The graph names of the tensors in a value (a tensor, or lists, tuples and dicts of them, a few levels deep). */
    private static void collectTensorNames(Object value, List<String> into, int level) {
        if (value instanceof TensorValue tensor) {
            into.add(tensor.name());
        } else if (level < 4 && value instanceof Map<?, ?> map) {
            map.values().forEach(v -> collectTensorNames(v, into, level + 1));
        } else if (level < 4 && AtenOps.items(value) != null) {
            AtenOps.items(value).forEach(v -> collectTensorNames(v, into, level + 1));
        }
    }

    private Flow execute(Stmt stmt, Frame frame) {
        int line = stmt.line();
        if (stmt instanceof Ast.Assign assign) {
            if (assign.value() != null) {
                assign(assign.targets(), eval(assign.value(), frame, line), frame, line);
            }
            return Flow.NEXT;
        }
        if (stmt instanceof Ast.ExprStmt expression) {
            eval(expression.value(), frame, line);
            return Flow.NEXT;
        }
        if (stmt instanceof Ast.Return ret) {
            frame.returned = ret.value() == null ? null : eval(ret.value(), frame, line);
            return Flow.RETURN;
        }
        if (stmt instanceof Ast.If branch) {
            return branch(branch, frame);
        }
        if (stmt instanceof Ast.For loop) {
            return forLoop(loop, frame);
        }
        if (stmt instanceof Ast.While loop) {
            long steps = 0;
            while (decide(eval(loop.condition(), frame, line), frame, line, loop.body(), List.of())) {
                if (++steps > MAX_LOOP_STEPS) {
                    throw error(frame, line, "a loop runs more than " + MAX_LOOP_STEPS + " times");
                }
                Flow flow = execute(loop.body(), frame);
                if (flow == Flow.BREAK) {
                    break;
                }
                if (flow == Flow.RETURN) {
                    return flow;
                }
            }
            return Flow.NEXT;
        }
        if (stmt instanceof Ast.Pass) {
            return Flow.NEXT;
        }
        if (stmt instanceof Ast.Break) {
            return Flow.BREAK;
        }
        if (stmt instanceof Ast.Continue) {
            return Flow.CONTINUE;
        }
        throw unfollowed(frame, line, "cannot interpret a nested definition");
    }

    private Flow branch(Ast.If branch, Frame frame) {
        Object condition = eval(branch.condition(), frame, branch.line());
        if (condition instanceof Values.Bounded) {
            // `if n:` of a size: its truth, as bool(n).
            condition = BoundedInts.call("Bool", List.of(condition));
        }
        if (condition instanceof Undecided undecided && raises(branch.then()) == raises(branch.otherwise())) {
            return bothBranches(branch, frame, undecided.atBound());
        }
        return execute(decide(condition, frame, branch.line(), branch.then(), branch.otherwise()) ? branch.then() : branch.otherwise(), frame);
    }

    /** What a name holds after a branch that did not assign it, when nothing held it before either. */
    private static final Object UNASSIGNED = new Object();

    /**
     * An {@code if} whose condition depends on the data (a comparison of a data-dependent size its bound does not
     * decide, such as torchvision's {@code if boxes.numel() == 0} after a mask): both branches run, from the same
     * locals, and the nodes of both are counted (an upper bound, as the run takes one). Each name either branch
     * assigns then holds both branches' values merged ({@link #merge}). A branch that changes a list it did not make,
     * or leaves the block (return, break, continue), is not followed this way: the statement is a gap.
     */
    private Flow bothBranches(Ast.If branch, Frame frame, boolean thenAtBound) {
        int line = branch.line();
        Map<String, Object> before = new HashMap<>(frame.locals);
        for (String name : Gaps.mutated(branch)) {
            if (before.get(name) instanceof List<?> || before.get(name) instanceof Map<?, ?>) {
                throw unfollowed(frame, line, "cannot follow both branches of a condition that depends on the data, as a"
                        + " branch changes the list '" + name + "' in place");
            }
        }
        if (leaves(branch.then()) || leaves(branch.otherwise())) {
            throw unfollowed(frame, line, "cannot follow both branches of a condition that depends on the data, as a"
                    + " branch leaves the block");
        }
        execute(branch.then(), frame);
        Map<String, Object> afterThen = new HashMap<>(frame.locals);
        frame.locals.clear();
        frame.locals.putAll(before);
        execute(branch.otherwise(), frame);
        Site site = site(frame, line);
        for (String name : Gaps.assigned(branch)) {
            Object merged = merge(afterThen.getOrDefault(name, UNASSIGNED), frame.locals.getOrDefault(name, UNASSIGNED), thenAtBound,
                    frame, line, site, 0);
            if (merged != UNASSIGNED) {
                bind(frame, variable(name), name, merged);
                frame.locals.put(name, merged);
            }
        }
        return Flow.NEXT;
    }

    /**
     * One name's value after both branches of an {@code if} decided by the data: the same value when both agree; for two
     * tensors, an {@code EitherBranch} node (the larger size per axis of two of one type and rank, else the value of
     * the branch the condition takes at the bounds, as ONNX's If), data-dependent; for two sizes, a bounded int at the
     * larger bound; for two truth values, an undecided one; lists and tuples item by item. A name only one branch
     * assigns keeps that branch's value (TorchScript lets no later code read it otherwise). Anything else is unknown, and
     * a tensor beside something else makes the statement a gap.
     */
    private Object merge(Object a, Object b, boolean aAtBound, Frame frame, int line, Site site, int level) {
        if (a == UNASSIGNED || b == UNASSIGNED) {
            return a == UNASSIGNED ? b : a;
        }
        if (Objects.equals(a, b)) {
            return a;
        }
        if (a instanceof TensorValue x && b instanceof TensorValue y) {
            if (!x.known() || !y.known() || graph.isGap(x) || graph.isGap(y)) {
                throw unfollowed(frame, line, "cannot merge the two branches' tensors of a condition that depends on the data");
            }
            return graph.emit("EitherBranch", List.of(x.name(), y.name()),
                    Map.<String, dev.tally.ir.Attribute>of("at_bound", new dev.tally.ir.Attribute.Int(aAtBound ? 0 : 1)), 1,
                    site.layer(), site.source()).get(0);
        }
        if (BoundedInts.high(a) >= 0 && BoundedInts.high(b) >= 0) {
            return new Values.Bounded(Math.max(BoundedInts.high(a), BoundedInts.high(b)));
        }
        if ((a instanceof Boolean || a instanceof Undecided) && (b instanceof Boolean || b instanceof Undecided)) {
            Object taken = aAtBound ? a : b;
            return new Undecided(taken instanceof Undecided u ? u.atBound() : (Boolean) taken);
        }
        List<Object> left = AtenOps.items(a);
        List<Object> right = AtenOps.items(b);
        // A few levels deep, as collectTensorNames reads them: no file decides how deep this recurses.
        if (level < 4 && left != null && right != null && left.size() == right.size() && (a instanceof TupleValue) == (b instanceof TupleValue)) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < left.size(); i++) {
                items.add(merge(left.get(i), right.get(i), aAtBound, frame, line, site, level + 1));
            }
            return a instanceof TupleValue ? new TupleValue(items) : items;
        }
        if (a instanceof TensorValue || b instanceof TensorValue) {
            throw unfollowed(frame, line, "cannot merge the two branches' values of a condition that depends on the data");
        }
        return Unknown.VALUE;
    }

    /** Whether running {@code body} may leave the enclosing block: a return anywhere, a break or continue of this loop. */
    private static boolean leaves(List<Stmt> body) {
        for (Stmt stmt : body) {
            if (Gaps.returns(stmt) || stmt instanceof Ast.Break || stmt instanceof Ast.Continue
                    || stmt instanceof Ast.If nested && (leaves(nested.then()) || leaves(nested.otherwise()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The truth of a condition. An unknown one is decided only when exactly one side merely raises (the input
     * checks scripted modules start with), in favour of the other side.
     */
    private boolean decide(Object condition, Frame frame, int line, List<Stmt> then, List<Stmt> otherwise) {
        if (condition != Unknown.VALUE && !(condition instanceof Undecided)) {
            return truth(condition, frame, line);
        }
        boolean thenRaises = raises(then);
        boolean otherwiseRaises = raises(otherwise);
        if (thenRaises != otherwiseRaises) {
            return otherwiseRaises;
        }
        throw shapeError(frame, line, "cannot decide this condition, which depends on a tensor's values or on a shape no rule"
                + " worked out; give the input shape (--input) so shapes are known");
    }

    private static boolean raises(List<Stmt> body) {
        for (Stmt stmt : body) {
            if (stmt instanceof Ast.ExprStmt e && e.value() instanceof Ast.Call call
                    && call.function() instanceof Ast.Attr attr && attr.name().equals("RaiseException")) {
                return true;
            }
        }
        return false;
    }

    private Flow forLoop(Ast.For loop, Frame frame) {
        Object iterable = eval(loop.iterable(), frame, loop.line());
        if (iterable instanceof Values.BoundedRange range) {
            return boundedLoop(loop, frame, range.bound());
        }
        List<Object> items = iterate(iterable, frame, loop.line());
        for (Object item : items) {
            assign(loop.targets(), item, frame, loop.line());
            Flow flow = execute(loop.body(), frame);
            if (flow == Flow.BREAK) {
                break;
            }
            if (flow == Flow.RETURN) {
                return flow;
            }
        }
        return Flow.NEXT;
    }

    /**
     * A {@code for} over {@code range(n)} with n a count of the data, at most {@code bound} (torchvision's batched_nms
     * loops over {@code unique(labels)}): the body runs once, with the loop index a bounded int below the bound, and
     * every node it emits is counted {@code bound} times ({@link GraphBuilder#inLoop}). That is an upper bound only
     * when every iteration costs at most what this one does, so the loop is followed only when each tensor the body
     * rebinds keeps its type and shape (the next iteration starts from what this one starts from), it changes no list
     * or dict made before the loop (whose length would be the trip count), and it does not return; otherwise the
     * statement is a gap. Ints the body rebinds are not known after the loop. A loop that cannot run (bound 0) emits
     * nothing.
     */
    private Flow boundedLoop(Ast.For loop, Frame frame, long bound) {
        int line = loop.line();
        String cannot = "cannot count a loop whose trip count depends on the data (at most " + bound + ") as its bound times one"
                + " iteration, as ";
        if (bound == 0) {
            return Flow.NEXT;
        }
        Set<String> appended = new java.util.LinkedHashSet<>();
        for (String name : Gaps.mutated(loop)) {
            Object held = frame.locals.get(name);
            if (held instanceof List<?> list && list.isEmpty() && appendsOnce(loop.body(), name)) {
                // An empty list each iteration appends one item to: after the loop, at most bound items.
                appended.add(name);
            } else if (held instanceof List<?> || held instanceof Map<?, ?>) {
                throw unfollowed(frame, line, cannot + "its body changes the list '" + name + "' in place");
            }
        }
        if (loop.body().stream().anyMatch(Gaps::returns)) {
            throw unfollowed(frame, line, cannot + "its body returns");
        }
        Map<String, Object> before = new HashMap<>(frame.locals);
        Site site = site(frame, line);
        String sentence = "the loop at " + site.source() + " runs a number of times that depends on the data, at most " + bound
                + " (the bound of its range); its body is counted " + bound + " times";
        assign(loop.targets(), new Values.Bounded(bound - 1), frame, line);
        try {
            graph.inLoop(bound, sentence, () -> execute(loop.body(), frame));
        } catch (ArithmeticException e) {
            throw unfollowed(frame, line, cannot + "the loops around it run more than 2^63 times in all");
        }
        for (Map.Entry<String, Object> entry : before.entrySet()) {
            String name = entry.getKey();
            Object was = entry.getValue();
            Object now = frame.locals.get(name);
            if (Objects.equals(was, now) || loop.targets().stream().anyMatch(t -> t instanceof Ast.Name n && n.id().equals(name))) {
                // The loop index keeps the bounded int the body saw: Python leaves the last index bound.
                continue;
            }
            if (was instanceof TensorValue x && now instanceof TensorValue y) {
                if (graph.isGap(y) || x.known() && y.known() && x.info().dtype() == y.info().dtype()
                        && x.info().shape().equals(y.info().shape())) {
                    continue;
                }
                throw unfollowed(frame, line, cannot + "its body changes the shape of '" + name + "' from one iteration to the next");
            }
            if (was instanceof TensorValue || now instanceof TensorValue || AtenOps.items(now) != null || now instanceof Map<?, ?>) {
                throw unfollowed(frame, line, cannot + "its body rebinds '" + name + "' to a value of another kind");
            }
            // An int or bool the body rebinds (a counter): after several iterations, not known statically.
            frame.locals.put(name, Unknown.VALUE);
        }
        for (String name : appended) {
            Object held = frame.locals.get(name);
            if (!(held instanceof List<?> list) || list.size() != 1 || !(list.get(0) instanceof TensorValue item) || !item.known()
                    || graph.isGap(item)) {
                throw unfollowed(frame, line, cannot + "what its body appends to the list '" + name + "' is not a tensor of known shape");
            }
            Values.BoundedList bounded = new Values.BoundedList(bound, item);
            // Every name holding that list (Python names share it) now holds the bounded one.
            frame.locals.replaceAll((local, value) -> value == held ? bounded : value);
        }
        return Flow.NEXT;
    }

    /**
     * Whether {@code body} appends to the list {@code name} exactly once per iteration and does nothing else with it:
     * one statement of its own block is {@code torch.append(name, x)} (x not reading the list), and no other statement
     * reads or changes it (a read would see the one item of the one pass followed, not the iteration's count).
     */
    private static boolean appendsOnce(List<Stmt> body, String name) {
        int appends = 0;
        for (Stmt stmt : body) {
            Expr value = stmt instanceof Ast.ExprStmt e ? e.value() : stmt instanceof Ast.Assign a ? a.value() : null;
            if (value instanceof Ast.Call call && call.function() instanceof Ast.Attr attr && attr.name().equals("append")
                    && attr.target() instanceof Ast.Name torch && torch.id().equals("torch") && call.args().size() == 2
                    && call.keywords().isEmpty() && call.args().get(0) instanceof Ast.Name list && list.id().equals(name)
                    && !Gaps.read(new Ast.ExprStmt(call.args().get(1), stmt.line())).contains(name)
                    && !(stmt instanceof Ast.Assign a && a.targets().stream().anyMatch(t -> !(t instanceof Ast.Name n) || n.id().equals(name)))) {
                appends++;
            } else if (Gaps.read(stmt).contains(name) || Gaps.mutated(stmt).contains(name) || Gaps.assigned(stmt).contains(name)) {
                return false;
            }
        }
        return appends == 1;
    }

    private List<Object> iterate(Object iterable, Frame frame, int line) {
        if (iterable instanceof Values.BoundedRange range) {
            throw shapeError(frame, line, "cannot loop a number of times that depends on the data (at most " + range.bound() + ")");
        }
        if (iterable instanceof List<?> list) {
            return new ArrayList<>(list);
        }
        if (iterable instanceof TupleValue tuple) {
            return tuple.items();
        }
        if (iterable instanceof Map<?, ?> map) {
            return new ArrayList<>(map.keySet());
        }
        throw shapeError(frame, line, "cannot iterate over " + describe(iterable));
    }

    private void assign(List<Expr> targets, Object value, Frame frame, int line) {
        if (targets.size() == 1) {
            assignOne(targets.get(0), value, frame, line);
            return;
        }
        unpack(targets, value, frame, line);
    }

    /** {@code a, b = value} (also {@code a, = value}): the items of a tuple, list or tensor, one per target. */
    private void unpack(List<Expr> targets, Object value, Frame frame, int line) {
        List<Object> items;
        if (value instanceof TupleValue tuple) {
            items = tuple.items();
        } else if (value instanceof List<?> list) {
            items = new ArrayList<>(list);
        } else if (value instanceof TensorValue tensor && tensor.known() && !graph.isGap(tensor) && tensor.info().rank() > 0
                && !tensor.info().dataDependent() && tensor.info().shape().dim(0) == targets.size()) {
            // a, b = t: Python iterates a tensor along its first axis.
            items = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
                items.add(torch("select", List.of(tensor, 0L, (long) i), Map.of(), frame, line));
            }
        } else if (value instanceof Values.Pieces pieces
                && pieces.tensor().info().shape().dim(pieces.tensor().info().shape().normalizeAxis((int) pieces.dim())) == targets.size()) {
            // The slices of a data-dependent tensor, as many as its axis' bound: a run that unpacks them into that many
            // names without raising has exactly that many, so each is a slice (Split into ones, Squeeze).
            int axis = pieces.tensor().info().shape().normalizeAxis((int) pieces.dim());
            items = new ArrayList<>();
            Object slices = torch("split", List.of(pieces.tensor(), 1L, (long) axis), Map.of(), frame, line);
            for (Object slice : AtenOps.items(slices)) {
                items.add(torch("squeeze", List.of(slice, (long) axis), Map.of(), frame, line));
            }
        } else {
            throw shapeError(frame, line, "cannot unpack " + describe(value) + " into " + targets.size() + " names");
        }
        if (items.size() != targets.size()) {
            throw unfollowed(frame, line, "cannot unpack " + items.size() + " values into " + targets.size() + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            assignOne(targets.get(i), items.get(i), frame, line);
        }
    }

    private void assignOne(Expr target, Object value, Frame frame, int line) {
        if (target instanceof Ast.Name name) {
            bind(frame, variable(name.id()), name.id(), value);
            frame.locals.put(name.id(), value);
        } else if (target instanceof Ast.TupleExpr tuple) {
            unpack(tuple.items(), value, frame, line);
        } else if (target instanceof Ast.Attr attr && eval(attr.target(), frame, line) instanceof ObjectValue object) {
            object.fields().put(attr.name(), value);
        } else if (target instanceof Ast.Attr attr && eval(attr.target(), frame, line) instanceof ModuleValue module) {
            // A module flag the code sets (SSD's self._has_warned = True): later reads in this run see it.
            moduleWrites.computeIfAbsent(module.object(), m -> new HashMap<>()).put(attr.name(), value);
        } else {
            throw unfollowed(frame, line, "cannot interpret an assignment to anything but names");
        }
    }

    // ---- how long a local holds its tensors ------------------------------------------------------------

    /**
     * The Python variable a printed local stands for. TorchScript names each value after the variable it was first
     * assigned to and, when the variable is assigned again, prints the new value with a counter ({@code out},
     * {@code out0}, {@code out1}): the name without its trailing digits. A variable whose own name ends in digits
     * ({@code x1}, {@code x2}) is taken as one variable rebound, which only ends a hold early, as before this rule.
     */
    private static String variable(String printed) {
        int end = printed.length();
        while (end > 1 && Character.isDigit(printed.charAt(end - 1))) {
            end--;
        }
        return printed.substring(0, end);
    }

    /**
     * Binds local {@code name} of Python variable {@code variable} to {@code value}. In eager PyTorch a tensor bound to
     * a local stays alive until the local is rebound or its function returns, even after its last use (DenseNet's
     * {@code concated_features} lives through norm1, relu1 and conv1): the tensors the variable held before, and no
     * longer holds, are kept through the last node made so far. Temporaries ({@link #temporary}) hold nothing.
     */
    private void bind(Frame frame, String variable, String name, Object value) {
        if (temporary(name)) {
            return;
        }
        List<String> tensors = new ArrayList<>();
        collectTensorNames(value, tensors, 0);
        Binding before = frame.bindings.put(variable, new Binding(name, tensors));
        if (before != null) {
            // A set: a loop that rebinds a growing list would otherwise compare every pair of its tensors.
            java.util.Set<String> still = new java.util.HashSet<>(tensors);
            for (String tensor : held(frame, before)) {
                if (!still.contains(tensor)) {
                    graph.hold(tensor, graph.nodeCount() - 1);
                }
            }
        }
    }

    /** The function returns: every tensor its locals hold is kept through the last node made so far. */
    private void release(Frame frame) {
        for (Binding binding : frame.bindings.values()) {
            for (String tensor : held(frame, binding)) {
                graph.hold(tensor, graph.nodeCount() - 1);
            }
        }
    }

    /** The tensors a binding holds: those it was bound to and those its list holds now ({@code features.append(x)}). */
    private static List<String> held(Frame frame, Binding binding) {
        List<String> tensors = new ArrayList<>(binding.tensors());
        collectTensorNames(frame.locals.get(binding.name()), tensors, 0);
        return tensors;
    }

    // ---- expressions -------------------------------------------------------------------------------------

    private Object eval(Expr expr, Frame frame, int line) {
        if (expr instanceof Ast.Const c) {
            return c.value();
        }
        if (expr instanceof Ast.Name name) {
            return lookup(name.id(), frame, line);
        }
        if (expr instanceof Ast.Attr attr) {
            return attribute(eval(attr.target(), frame, line), attr.name(), frame, line);
        }
        if (expr instanceof Ast.Call call) {
            return call(call, frame, line);
        }
        if (expr instanceof Ast.ListExpr list) {
            List<Object> items = new ArrayList<>();
            for (Expr item : list.items()) {
                items.add(eval(item, frame, line));
            }
            return items;
        }
        if (expr instanceof Ast.TupleExpr tuple) {
            List<Object> items = new ArrayList<>();
            for (Expr item : tuple.items()) {
                items.add(eval(item, frame, line));
            }
            return new TupleValue(items);
        }
        if (expr instanceof Ast.DictExpr dict) {
            Map<Object, Object> map = new LinkedHashMap<>();
            for (int i = 0; i < dict.keys().size(); i++) {
                map.put(eval(dict.keys().get(i), frame, line), eval(dict.values().get(i), frame, line));
            }
            return map;
        }
        if (expr instanceof Ast.Subscript subscript) {
            return index(eval(subscript.target(), frame, line), eval(subscript.index(), frame, line), frame, line);
        }
        if (expr instanceof Ast.Unary unary) {
            Object operand = eval(unary.operand(), frame, line);
            return scalarCall(unary.op().equals("not") ? "__not__" : unary.op().equals("-") ? "neg" : "pos",
                    List.of(operand), frame, line);
        }
        if (expr instanceof Ast.IfExpr ifExpr) {
            Object condition = eval(ifExpr.condition(), frame, line);
            return truth(condition, frame, line) ? eval(ifExpr.then(), frame, line) : eval(ifExpr.otherwise(), frame, line);
        }
        Ast.Binary binary = (Ast.Binary) expr;
        if (binary.op().equals("and") || binary.op().equals("or")) {
            Object left = eval(binary.left(), frame, line);
            if (left == Unknown.VALUE) {
                return Unknown.VALUE;
            }
            if (left instanceof Undecided) {
                // A side that decides alone decides; else the data does.
                Object right = eval(binary.right(), frame, line);
                return right == Unknown.VALUE ? Unknown.VALUE : BoundedInts.call(binary.op().equals("and") ? "__and__" : "__or__", List.of(left, right));
            }
            boolean l = truth(left, frame, line);
            if (binary.op().equals("and") ? !l : l) {
                return left;
            }
            return eval(binary.right(), frame, line);
        }
        Object left = eval(binary.left(), frame, line);
        Object right = eval(binary.right(), frame, line);
        String op = switch (binary.op()) {
            case "+" -> "add";
            case "-" -> "sub";
            case "*" -> "mul";
            case "/" -> "div";
            case "//" -> "floordiv";
            case "%" -> "remainder";
            case "**" -> "pow";
            case "==" -> "eq";
            case "!=" -> "ne";
            case "<" -> "lt";
            case "<=" -> "le";
            case ">" -> "gt";
            case ">=" -> "ge";
            case "is" -> "__is__";
            case "is not" -> "__isnot__";
            case "in" -> "__contains__reversed";
            case "not in" -> "__notcontains__reversed";
            case "&" -> "__and__";
            case "|" -> "__or__";
            default -> throw unfollowed(frame, line, "cannot interpret the operator '" + binary.op() + "'");
        };
        return scalarCall(op, List.of(left, right), frame, line);
    }

    private Object lookup(String name, Frame frame, int line) {
        if (frame.locals.containsKey(name)) {
            return frame.locals.get(name);
        }
        if (name.equals("CONSTANTS") || NAMESPACE_ROOTS.contains(name) || BUILTINS.contains(name)) {
            return new Namespace(name);
        }
        // TorchScript prints float('inf') and float('nan') constants as bare names (nn.MultiheadAttention's masks).
        if (name.equals("inf")) {
            return Double.POSITIVE_INFINITY;
        }
        if (name.equals("nan")) {
            return Double.NaN;
        }
        throw error(frame, line, "cannot interpret the name '" + name + "', which is never assigned");
    }

    private static final Set<String> BUILTINS = Set.of(
            "getattr", "annotate", "unchecked_cast", "uninitialized", "range", "len", "isinstance", "print",
            "hasattr", "min", "max", "abs", "round", "list", "tuple", "enumerate", "zip");

    private Object attribute(Object target, String name, Frame frame, int line) {
        if (target instanceof Namespace namespace) {
            if (namespace.path().equals("CONSTANTS")) {
                return constant(name, frame, line);
            }
            return namespace.child(name);
        }
        if (target instanceof ModuleValue module) {
            Map<String, Object> written = moduleWrites.get(module.object());
            if (written != null && written.containsKey(name)) {
                return written.get(name);
            }
            return moduleAttribute(module, name, frame, line);
        }
        if (target instanceof ObjectValue object) {
            if (object.fields().containsKey(name)) {
                return object.fields().get(name);
            }
            var info = library.classInfo(object.className());
            if (info.isPresent() && info.get().methods().containsKey(name)) {
                return new BoundObjectMethod(object, name);
            }
            throw unfollowed(frame, line, "the " + object.className() + " object has no attribute '" + name + "' yet");
        }
        if (target instanceof TensorValue || target instanceof List<?> || target instanceof TupleValue) {
            // A method of the value, e.g. x.size: calls become torch.size(x, ...).
            return new BoundValueMethod(target, name);
        }
        if (target == Unknown.VALUE) {
            return Unknown.VALUE;
        }
        throw unfollowed(frame, line, "cannot read the attribute '" + name + "' of " + describe(target));
    }

    /** {@code value.method} for tensors and lists, called as {@code torch.method(value, ...)}. */
    private record BoundValueMethod(Object value, String name) {}

    private Object constant(String name, Frame frame, int line) {
        if (name.startsWith("c")) {
            try {
                int index = Integer.parseInt(name.substring(1));
                if (index < constants.size()) {
                    Object value = constants.get(index);
                    if (value instanceof dev.tally.ir.ConstTensor small) {
                        return graph.constant(small);
                    }
                    if (value instanceof TensorRef tensor) {
                        return graph.param(new Param("CONSTANTS." + name, tensor.shape(), tensor.dtype(), dev.tally.ir.Role.CONSTANT));
                    }
                    return fromPickle(value);
                }
            } catch (NumberFormatException ignored) {
                // Falls through to the error below.
            }
        }
        throw error(frame, line, "the code reads 'CONSTANTS." + name + "', which constants.pkl does not hold");
    }

    private Object moduleAttribute(ModuleValue module, String name, Frame frame, int line) {
        if (name.equals("training")) {
            // Tally counts inference: modules run as after model.eval(), whatever flag the file was saved with.
            return Boolean.FALSE;
        }
        Map<String, Param> tensors = stored.get(module.object());
        if (tensors != null && tensors.containsKey(name)) {
            return graph.param(tensors.get(name));
        }
        Map<String, Object> attributes = module.object().attributes();
        if (attributes.containsKey(name)) {
            Object value = attributes.get(name);
            if (value instanceof TorchObject child && QuantizedState.isTorchClass(child)) {
                return packedParams(child);
            }
            if (value instanceof TorchObject child) {
                return new ModuleValue(child, module.path().isEmpty() ? name : module.path() + "." + name);
            }
            if (value instanceof TensorRef) {
                throw error(frame, line, "the tensor attribute '" + name + "' of '" + display(module) + "' has no stored tensor");
            }
            if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(TensorRef.class::isInstance)) {
                return storedList(module, name, list, frame, line);
            }
            return fromPickle(value);
        }
        CodeLibrary.ClassInfo info = classOf(module, new Site(frame.record, line, frame.layer()));
        if (info.constants().containsKey(name)) {
            return eval(info.constants().get(name), new Frame(null, info.record()), line);
        }
        if (info.methods().containsKey(name)) {
            return new BoundMethod(module, name);
        }
        throw error(frame, line, "the module '" + display(module) + "' has no attribute '" + name + "'");
    }

    /** Pickled attribute values as the interpreter's values: tuples are Object[] in the pickle. */
    /**
     * A list attribute of stored tensors, such as {@code nn.LSTM._flat_weights}: each item is the module's parameter
     * with the same storage, offset, sizes and strides, so that it is counted once, under its own name.
     */
    private Object storedList(ModuleValue module, String name, List<?> list, Frame frame, int line) {
        Map<String, Param> tensors = stored.getOrDefault(module.object(), Map.of());
        List<Object> items = new ArrayList<>();
        for (Object item : list) {
            TensorRef ref = (TensorRef) item;
            String match = null;
            for (Map.Entry<String, Object> attribute : module.object().attributes().entrySet()) {
                if (attribute.getValue() instanceof TensorRef other && tensors.containsKey(attribute.getKey())
                        && other.storage().key().equals(ref.storage().key()) && other.offset() == ref.offset()
                        && other.sizes().equals(ref.sizes()) && other.strides().equals(ref.strides())) {
                    match = attribute.getKey();
                    break;
                }
            }
            if (match == null) {
                // A plain tensor in a list attribute (DefaultBoxGenerator._wh_pairs): a constant of the module, not a
                // parameter or buffer, as PyTorch's parameters() and buffers() do not list it either.
                String path = (module.path().isEmpty() ? "" : module.path() + ".") + name + "." + items.size();
                items.add(graph.param(new Param(path, ref.shape(), ref.dtype(), dev.tally.ir.Role.CONSTANT)));
                continue;
            }
            items.add(graph.param(tensors.get(match)));
        }
        return items;
    }

    /** A packed params object as the quantized ops read it: its stored weight and bias, and its conv geometry. */
    private Object packedParams(TorchObject packed) {
        Map<String, Param> tensors = stored.getOrDefault(packed, Map.of());
        Map<String, Object> geometry = new java.util.LinkedHashMap<>();
        for (String key : List.of("stride", "padding", "dilation", "groups")) {
            if (packed.attributes().containsKey(key)) {
                geometry.put(key, fromPickle(packed.attributes().get(key)));
            }
        }
        return new Values.PackedParams(tensors.containsKey("weight") ? graph.param(tensors.get("weight")) : null,
                tensors.containsKey("bias") ? graph.param(tensors.get("bias")) : null, geometry);
    }

    private static Object fromPickle(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Object[] tuple) {
            List<Object> items = new ArrayList<>();
            for (Object item : tuple) {
                items.add(fromPickle(item));
            }
            return new TupleValue(items);
        }
        if (value instanceof List<?> list) {
            List<Object> items = new ArrayList<>();
            for (Object item : list) {
                items.add(fromPickle(item));
            }
            return items;
        }
        if (value instanceof Map<?, ?> map) {
            // A Dict[str, int] attribute (the RPN's _pre_nms_top_n): its ints as the interpreter's, so min(k, n) stays an int.
            Map<Object, Object> converted = new LinkedHashMap<>();
            map.forEach((k, v) -> converted.put(fromPickle(k), fromPickle(v)));
            return converted;
        }
        return value;
    }

    private Object index(Object target, Object index, Frame frame, int line) {
        if (target == Unknown.VALUE || index == Unknown.VALUE) {
            return Unknown.VALUE;
        }
        if (target instanceof Namespace) {
            // A type expression such as List[int] in annotate(List[int], []): only its name matters.
            return target;
        }
        if (target instanceof TensorValue) {
            return aten.call("__getitem__", List.of(target, index), Map.of(), site(frame, line));
        }
        if (target instanceof Map<?, ?> map) {
            return map.get(index);
        }
        List<Object> items = target instanceof TupleValue tuple ? tuple.items()
                : target instanceof List<?> list ? new ArrayList<>(list) : null;
        if (index instanceof TensorValue) {
            throw shapeError(frame, line, "cannot index " + describe(target) + " with a tensor's value");
        }
        if (items == null || !(index instanceof Long i)) {
            throw unfollowed(frame, line, "cannot index " + describe(target) + " with " + describe(index));
        }
        long at = i < 0 ? i + items.size() : i;
        if (at < 0 || at >= items.size()) {
            throw unfollowed(frame, line, "index " + i + " is out of range for " + items.size() + " items");
        }
        return items.get((int) at);
    }

    // ---- calls -------------------------------------------------------------------------------------------

    private Object call(Ast.Call call, Frame frame, int line) {
        Object function = eval(call.function(), frame, line);
        List<Object> args = new ArrayList<>();
        for (Expr arg : call.args()) {
            args.add(eval(arg, frame, line));
        }
        Map<String, Object> keywords = new LinkedHashMap<>();
        for (Ast.Keyword keyword : call.keywords()) {
            keywords.put(keyword.name(), eval(keyword.value(), frame, line));
        }
        Site site = site(frame, line);
        if (function instanceof BoundMethod method) {
            return callMethod(method.self(), method.name(), args, keywords, site);
        }
        if (function instanceof BoundObjectMethod method) {
            // A class's method runs in the caller's layer, with the object as self.
            CodeLibrary.ClassInfo info = library.classInfo(method.self().className()).orElseThrow();
            List<Object> withSelf = new ArrayList<>();
            withSelf.add(method.self());
            withSelf.addAll(args);
            return invoke(info.methods().get(method.name()), info.record(), frame.self, withSelf, keywords, site);
        }
        if (function instanceof BoundValueMethod method) {
            List<Object> withSelf = new ArrayList<>();
            withSelf.add(method.value());
            withSelf.addAll(args);
            return torch(method.name(), withSelf, keywords, frame, line);
        }
        if (function instanceof Namespace namespace) {
            return callNamed(namespace.path(), call, args, keywords, frame, line);
        }
        if (function instanceof ModuleValue module) {
            return callMethod(module, "forward", args, keywords, site);
        }
        if (function == Unknown.VALUE || function instanceof TensorValue) {
            throw shapeError(frame, line, "cannot call " + describe(function));
        }
        throw unfollowed(frame, line, "cannot call " + describe(function));
    }

    private Object callNamed(String path, Ast.Call call, List<Object> args, Map<String, Object> keywords, Frame frame, int line) {
        switch (path) {
            case "getattr": {
                Object target = args.get(0);
                return attribute(target, String.valueOf(args.get(1)), frame, line);
            }
            case "annotate":
                if (args.size() == 2 && args.get(0) instanceof Namespace type && (type.path().equals("int") || type.path().equals("float"))
                        && args.get(1) instanceof TensorValue) {
                    // How TorchScript prints an implicit tensor-to-number conversion (aten::IntImplicit, FloatImplicit:
                    // paste_mask_in_image's max(box[0], 0) of an int64 box): int(t) or float(t).
                    return scalarCall(type.path().equals("int") ? "Int" : "Float", List.of(args.get(1)), frame, line);
                }
                return args.get(1);
            case "unchecked_cast":
                return args.get(1);
            case "uninitialized":
                return null;
            case "isinstance":
                return isInstance(args.get(0), args.get(1));
            case "print":
                return null;
            case "range":
                return range(args, frame, line);
            case "int":
            case "float":
            case "bool":
            case "len":
            case "min":
            case "max":
            case "abs":
            case "list":
            case "str":
                if (path.equals("str") && args.size() == 1 && args.get(0) instanceof String text) {
                    return text;
                }
                return scalarCall(path.equals("int") ? "Int" : path.equals("float") ? "Float" : path.equals("bool") ? "Bool" : path,
                        args, frame, line);
            default:
                break;
        }
        if (path.startsWith("torch.")) {
            String name = path.substring("torch.".length());
            if (name.startsWith("nn.functional.") || name.startsWith("_C.") || name.startsWith("jit.")) {
                return torch(name.substring(name.lastIndexOf('.') + 1), args, keywords, frame, line);
            }
            return torch(name, args, keywords, frame, line);
        }
        if (path.startsWith("ops.quantized.")) {
            return torch("quantized::" + path.substring("ops.quantized.".length()), args, keywords, frame, line);
        }
        if (path.startsWith("ops.torchvision.")) {
            // torchvision's C++ ops (nms, roi_align), registered with the TorchScript runtime under its namespace.
            return torch("torchvision::" + path.substring("ops.torchvision.".length()), args, keywords, frame, line);
        }
        if (path.startsWith("ops.prim.") || path.startsWith("ops.aten.")) {
            return prim(path.substring(path.lastIndexOf('.') + 1), args, keywords, frame, line);
        }
        if (path.startsWith("math.")) {
            return scalarCall(path.substring(5), args, frame, line);
        }
        if (path.startsWith("__torch__.")) {
            return callCode(path, args, keywords, frame, line);
        }
        throw unfollowed(frame, line, "cannot interpret the call of '" + path + "'");
    }

    private Object callCode(String path, List<Object> args, Map<String, Object> keywords, Frame frame, int line) {
        Site site = site(frame, line);
        var function = library.function(path);
        if (function.isPresent()) {
            return invokeFunction(function.get(), args, keywords, frame, site);
        }
        var info = library.classInfo(path);
        if (info.isPresent() && info.get().namedTuple()) {
            return new TupleValue(args);
        }
        if (path.endsWith(".__new__") && library.classInfo(path.substring(0, path.length() - ".__new__".length())).isPresent()) {
            // Class.__new__(Class), then (obj).__init__(...): an object whose __init__ assigns its fields.
            return new ObjectValue(path.substring(0, path.length() - ".__new__".length()));
        }
        throw unfollowed(frame, line, "cannot interpret the call of '" + path + "', whose code is not in the archive");
    }

    /** A module-level function runs in the caller's layer: {@code F.relu} inside {@code features.1} is that layer's op. */
    private Object invokeFunction(CodeLibrary.FunctionInfo function, List<Object> args, Map<String, Object> keywords,
                                  Frame caller, Site site) {
        return invoke(function.definition(), function.record(), caller.self, args, keywords, site);
    }

    /**
     * Python's {@code isinstance(value, T)} for the types TorchScript code tests (torchvision's roi_align takes a tensor
     * or a list of them): decided by the kind of value the interpreter holds; unknown for a value it does not know.
     */
    private Object isInstance(Object value, Object type) {
        if (type instanceof TupleValue types) {
            boolean any = false;
            for (Object each : types.items()) {
                // One level: a tuple of types, as Python code writes it (a nested tuple is not followed).
                Object answer = each instanceof TupleValue ? Unknown.VALUE : isInstance(value, each);
                if (answer == Unknown.VALUE) {
                    return Unknown.VALUE;
                }
                any |= (Boolean) answer;
            }
            return any;
        }
        if (value == Unknown.VALUE || value instanceof TensorValue t && graph.isGap(t) || !(type instanceof Namespace name)) {
            return Unknown.VALUE;
        }
        return switch (name.path()) {
            case "Tensor" -> value instanceof TensorValue;
            case "list", "List" -> value instanceof List<?>;
            case "tuple", "Tuple" -> value instanceof TupleValue;
            case "dict", "Dict" -> value instanceof Map<?, ?>;
            case "int" -> value instanceof Long || value instanceof Values.Bounded || value instanceof Values.Ranged;
            case "float" -> value instanceof Double;
            case "bool" -> value instanceof Boolean || value instanceof Undecided;
            case "str" -> value instanceof String;
            default -> Unknown.VALUE;
        };
    }

    private Object range(List<Object> args, Frame frame, int line) {
        long start = 0;
        long stop;
        long step = 1;
        if (args.size() == 1 && BoundedInts.isBounded(args.get(0))) {
            // range(n) of a count of the data: a for statement counts its body once, at most n's bound times over.
            return new Values.BoundedRange(BoundedInts.high(args.get(0)));
        }
        for (Object arg : args) {
            if (BoundedInts.isBounded(arg)) {
                throw shapeError(frame, line, "cannot loop a number of times that depends on the data (at most "
                        + BoundedInts.high(arg) + ")");
            }
            if (!(arg instanceof Long)) {
                throw shapeError(frame, line, "cannot loop over a range whose bounds are not known integers");
            }
        }
        if (args.size() == 1) {
            stop = (Long) args.get(0);
        } else {
            start = (Long) args.get(0);
            stop = (Long) args.get(1);
            step = args.size() > 2 ? (Long) args.get(2) : 1;
        }
        if (step == 0 || Math.abs((stop - start) / step) > MAX_LOOP_STEPS) {
            throw error(frame, line, "a range has " + (step == 0 ? "step 0" : "more than " + MAX_LOOP_STEPS + " items"));
        }
        List<Object> items = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            items.add(i);
        }
        return items;
    }

    private Object prim(String name, List<Object> args, Map<String, Object> keywords, Frame frame, int line) {
        switch (name) {
            case "RaiseException":
                throw new RaisedException(args.isEmpty() ? "" : String.valueOf(args.get(0)));
            case "requires_grad":
                return Boolean.FALSE;
            case "unchecked_unwrap_optional":
            case "NumToTensor":
                return args.get(0);
            case "is_quantized":
                return args.get(0) instanceof TensorValue t && t.known() ? (Object) t.info().dtype().isQuantized() : Unknown.VALUE;
            case "is_cuda":
            case "is_meta":
            case "is_mkldnn":
                return Boolean.FALSE;
            case "device":
                return "cpu";
            case "type":
                // The type of a device, as batched_nms reads it (Tally runs the model on the CPU).
                return args.size() == 1 && args.get(0) instanceof String device ? device : Unknown.VALUE;
            case "dtype":
                return args.get(0) instanceof TensorValue t && t.known() ? (Object) scalarType(t.info().dtype()) : Unknown.VALUE;
            case "is_nested":
                return Boolean.FALSE;
            case "layout":
                return Unknown.VALUE;
            case "min":
            case "max":
                return scalarCall(name, args, frame, line);
            default:
                return torch(name, args, keywords, frame, line);
        }
    }

    /** PyTorch's ScalarType codes, which {@code ops.prim.dtype} returns and code compares. */
    private static long scalarType(dev.tally.ir.DType dtype) {
        return ScalarTypes.code(dtype);
    }

    private Object torch(String name, List<Object> args, Map<String, Object> keywords, Frame frame, int line) {
        if (!args.isEmpty() && args.get(0) instanceof Values.BoundedList list) {
            return boundedListOp(name, list, args, keywords, frame, line);
        }
        if (args.stream().anyMatch(a -> a instanceof Values.BoundedList) || keywords.values().stream().anyMatch(a -> a instanceof Values.BoundedList)) {
            throw unfollowed(frame, line, "cannot pass a list whose length depends on the data to '" + name + "'");
        }
        try {
            Object result = aten.call(name, args, keywords, site(frame, line));
            staleView(name, args, result, frame, line);
            rebindInPlace(name, args, result, frame);
            if (VIEW_OPS.contains(name) && !args.isEmpty() && args.get(0) instanceof TensorValue source && result instanceof TensorValue view
                    && !view.name().equals(source.name())) {
                viewBase.put(view.name(), viewBase.getOrDefault(source.name(), source.name()));
            }
            return result;
        } catch (Args.ArgumentError e) {
            throw shapeError(frame, line, e.getMessage());
        }
    }

    /**
     * An in-place op ({@code relu_}, {@code masked_fill_}) changes the tensor it is given: every local of the frame that
     * held it holds the result from then on, as every Python name sees the changed tensor. MultiheadAttention writes
     * {@code masked_fill_(new_attn_mask, mask, -inf)} and then reads {@code new_attn_mask}: without this its scores would
     * read the zeros, and a data-dependent mask (Conformer's) would not reach them.
     */
    private static void rebindInPlace(String name, List<Object> args, Object result, Frame frame) {
        if (!name.endsWith("_") || name.endsWith("__") || args.isEmpty() || !(args.get(0) instanceof TensorValue before)
                || !(result instanceof TensorValue after) || before.name().equals(after.name())) {
            return;
        }
        frame.locals.replaceAll((local, value) -> value instanceof TensorValue held && held.name().equals(before.name()) ? after : value);
    }

    /**
     * An in-place op writing into a view ({@code torch.copy_(torch.select(boxes_exp, 1, 0), x)}, as torchvision's
     * expand_boxes fills {@code zeros_like(boxes)}) changes the tensor viewed, which the graph does not show: the
     * tensor's name would still hold the values it had. Those values matter when the shape rules know or bound them (a
     * zeros_like is known to be 0: an int read from it later would be taken for 0), so then every local holding that
     * tensor holds a {@code WrittenView} of it afterwards: the same type and shape, its values not carried as data. The
     * op's result ({@code written}: what the view holds after it, x expanded for {@code copy_}) is its second input when
     * known, so every element stays within the hull of the old and the written values' bounds; the expanded boxes keep
     * the bounds paste_mask_in_image's {@code int(box[2] - box[0] + 1)} needs.
     */
    private void staleView(String name, List<Object> args, Object written, Frame frame, int line) {
        if (!name.endsWith("_") || name.endsWith("__") || args.isEmpty() || !(args.get(0) instanceof TensorValue target)
                || !viewBase.containsKey(target.name())) {
            return;
        }
        String base = viewBase.get(target.name());
        List<String> inputs = written instanceof TensorValue w && w.known() && !w.name().equals(target.name())
                ? List.of(base, w.name()) : List.of(base);
        TensorValue after = null;
        for (Map.Entry<String, Object> local : frame.locals.entrySet()) {
            if (local.getValue() instanceof TensorValue held && held.name().equals(base) && held.known()
                    && (held.info().hasData() || held.info().range().isPresent())) {
                if (after == null) {
                    Site site = site(frame, line);
                    after = graph.emit("WrittenView", inputs, Map.of(), 1, site.layer(), site.source()).get(0);
                }
                local.setValue(after);
            }
        }
    }

    /**
     * What the code does with a list a loop over data appended to ({@link Values.BoundedList}): {@code len} is a bounded
     * int (so {@code len(res) > 0} is undecided and both branches are followed); {@code torch.stack(res, dim)} is the
     * one item unsqueezed at dim and expanded there to the bound, a data-dependent size; anything else is a gap.
     */
    private Object boundedListOp(String name, Values.BoundedList list, List<Object> args, Map<String, Object> keywords, Frame frame,
            int line) {
        if (name.equals("len") && args.size() == 1 && keywords.isEmpty()) {
            return new Values.Bounded(list.bound());
        }
        if (name.equals("stack") && args.size() <= 2 && keywords.keySet().stream().allMatch(k -> k.equals("dim"))) {
            Object dim = args.size() == 2 ? args.get(1) : keywords.getOrDefault("dim", 0L);
            int rank = list.item().info().rank();
            if (dim instanceof Long d && d >= -(rank + 1) && d <= rank) {
                int axis = (int) (d < 0 ? d + rank + 1 : d);
                Object unsqueezed = torch("unsqueeze", List.of(list.item(), (long) axis), Map.of(), frame, line);
                List<Object> sizes = new ArrayList<>();
                for (long size : list.item().info().shape().dims()) {
                    sizes.add(size);
                }
                sizes.add(axis, new Values.Bounded(list.bound()));
                return torch("expand", List.of(unsqueezed, sizes), Map.of(), frame, line);
            }
        }
        throw unfollowed(frame, line, "cannot follow '" + name + "' of a list whose length depends on the data (at most "
                + list.bound() + " tensors appended by a loop over data)");
    }

    private Object scalarCall(String name, List<Object> args, Frame frame, int line) {
        return torch(name, args, Map.of(), frame, line);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private boolean truth(Object value, Frame frame, int line) {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value == null) {
            return false;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        if (value instanceof Double d) {
            return d != 0;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof List<?> list) {
            return !list.isEmpty();
        }
        if (value instanceof TupleValue tuple) {
            return !tuple.items().isEmpty();
        }
        throw shapeError(frame, line, "cannot decide the truth of " + describe(value)
                + ", which depends on a tensor's values or a shape no rule worked out; give the input shape (--input)");
    }

    private Site site(Frame frame, int line) {
        return new Site(frame.record, line, frame.layer());
    }

    private static String display(ModuleValue module) {
        return module.path().isEmpty() ? "(root)" : module.path();
    }

    static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof TensorValue) {
            return "a tensor";
        }
        if (value == Unknown.VALUE) {
            return "a value not known statically";
        }
        if (value instanceof Values.Bounded b) {
            return b.tensor() != null ? "a number read from data, at most " + b.bound()
                    : "a size that depends on the data (at most " + b.bound() + ")";
        }
        if (value instanceof Values.Ranged r) {
            return "a number read from data, between " + r.low() + " and " + r.high();
        }
        if (value instanceof Undecided) {
            return "a condition that depends on the data";
        }
        if (value instanceof ModuleValue module) {
            return "the module '" + display(module) + "'";
        }
        if (value instanceof ObjectValue object) {
            return "a " + object.className().substring(object.className().lastIndexOf('.') + 1) + " object";
        }
        if (value instanceof Namespace namespace) {
            return "'" + namespace.path() + "'";
        }
        if (AtenOps.items(value) != null && (AtenOps.items(value).size() > 8 || AtenOps.items(value).stream().anyMatch(TensorValue.class::isInstance))) {
            // Not the items themselves: a list of tensors would print every value Tally knows into the message.
            return "a " + (value instanceof TupleValue ? "tuple" : "list") + " of " + AtenOps.items(value).size() + " items";
        }
        return "'" + Objects.toString(value) + "'";
    }

    /**
     * An error that may come from a value not known statically (a shape, without --input): the loader adds the
     * fix when no input shape was given.
     */
    static final class ShapeDependentException extends ModelException {
        private static final long serialVersionUID = 1L;

        ShapeDependentException(String message) {
            super(message);
        }
    }

    /**
     * Code the interpreter does not know how to run (a call it has no mapping for, an assignment to an item): with the
     * input shapes given it becomes a gap at its line, as a value it cannot know does.
     */
    static final class UnfollowedException extends ModelException {
        private static final long serialVersionUID = 1L;

        UnfollowedException(String message) {
            super(message);
        }
    }

    private ModelException unfollowed(Frame frame, int line, String what) {
        return new UnfollowedException(error(frame, line, what).getMessage());
    }

    private ModelException shapeError(Frame frame, int line, String what) {
        return new ShapeDependentException(error(frame, line, what).getMessage());
    }

    private ModelException error(Frame frame, int line, String what) {
        return error(new Site(frame.record, line, frame.layer()), what);
    }

    private ModelException error(Site site, String what) {
        String sentence = what.endsWith(".") ? what : what + ".";
        return new ModelException(fileName + ": " + site.source() + ": " + sentence);
    }
}
