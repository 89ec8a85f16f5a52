package dev.tally.analysis;

import dev.tally.ir.DType;
import dev.tally.ir.Dim;
import dev.tally.ir.Model;
import dev.tally.ir.Shape;
import dev.tally.ir.TensorType;
import dev.tally.ir.UsageException;
import dev.tally.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Decides the shape of every graph input: the user's {@code --input}, else the file's dims, a symbolic batch as 1. */
public final class InputShapes {
    /** The key of an {@code --input} given without a name, for a model with one input. */
    public static final String UNNAMED = "";

    /**
     * {@code --input} values as parsed: the shapes by input name, and the element types given with a {@code :dtype}
     * suffix ({@code x=1x3x224x224:float16}). It is the {@code Map<String, Shape>} every loader and command already
     * takes, so the element types travel with the shapes without changing those signatures; a plain map means
     * "no element type given" (the file's declared type, else the model's own floating type).
     */
    public static final class Overrides extends java.util.LinkedHashMap<String, Shape> {
        private static final long serialVersionUID = 1L;
        private final Map<String, DType> dtypes = new HashMap<>();
        private final Set<String> symbolicBatch = new java.util.HashSet<>();
        private final Map<String, Long> valueBounds = new HashMap<>();

        /** Adds an input's shape and, when not null, its element type. */
        public Overrides with(String name, Shape shape, DType dtype) {
            put(name, shape);
            if (dtype != null) {
                dtypes.put(name, dtype);
            }
            return this;
        }

        /** Marks the input's first axis as given by a name ({@code Bx3x224x224}): the batch, taken as 1 until chosen. */
        public Overrides withSymbolicBatch(String name) {
            symbolicBatch.add(name);
            return this;
        }

        /**
         * States that every value of the integer input {@code name} is at most {@code max} ({@code :max100}): a
         * contract of the model the file cannot state (torchaudio's sequence lengths are at most the padded length), which
         * bounds a size the code reads from those values (docs/conventions.md, "Data-dependent sizes").
         */
        public Overrides withValueBound(String name, long max) {
            valueBounds.put(name, max);
            return this;
        }

        public Map<String, DType> dtypes() {
            return java.util.Collections.unmodifiableMap(dtypes);
        }
    }

    /** The element type given for {@code name} ({@link #UNNAMED} for a lone input), if {@code overrides} carries one. */
    public static java.util.Optional<DType> dtypeOf(Map<String, Shape> overrides, String name) {
        return overrides instanceof Overrides typed ? java.util.Optional.ofNullable(typed.dtypes.get(name)) : java.util.Optional.empty();
    }

    /** The bound {@code --input} gives for the values of {@code name} ({@code :max100}), if any. */
    public static java.util.Optional<Long> valueBound(Map<String, Shape> overrides, String name) {
        return overrides instanceof Overrides typed ? java.util.Optional.ofNullable(typed.valueBounds.get(name)) : java.util.Optional.empty();
    }

    /** Whether the {@code --input} for {@code name} wrote its first axis as a name ({@code Bx3x224x224}). */
    public static boolean symbolicBatch(Map<String, Shape> overrides, String name) {
        return overrides instanceof Overrides typed && typed.symbolicBatch.contains(name);
    }

    /** A copy of {@code overrides} with its element types and symbolic batches, so merging keeps them. */
    public static Overrides copyOf(Map<String, Shape> overrides) {
        Overrides copy = new Overrides();
        overrides.forEach((name, shape) -> {
            copy.with(name, shape, dtypeOf(overrides, name).orElse(null));
            if (symbolicBatch(overrides, name)) {
                copy.withSymbolicBatch(name);
            }
            valueBound(overrides, name).ifPresent(max -> copy.withValueBound(name, max));
        });
        return copy;
    }

    /**
     * {@code model} with the first axis of each named input made symbolic ({@link #UNNAMED} names a lone input), so
     * that {@code tally fit} can try other batches on a file exported with a fixed one. Sizes the exporter traced
     * from the input follow the new batch; a batch it baked in (a Reshape to {@code [1, ...]}) makes the shape pass
     * fail at another batch.
     */
    public static Model openBatch(Model model, java.util.Collection<String> names) {
        List<Value> inputs = new ArrayList<>();
        boolean changed = false;
        for (Value input : model.graph().inputs()) {
            boolean named = names.contains(input.name()) || names.contains(UNNAMED) && model.graph().inputs().size() == 1;
            if (named && input.type().isPresent() && !input.type().get().dims().isEmpty()
                    && input.type().get().dims().get(0) instanceof Dim.Known) {
                List<Dim> dims = new ArrayList<>(input.type().get().dims());
                dims.set(0, new Dim.Symbol("batch"));
                inputs.add(new Value(input.name(), Optional.of(new TensorType(input.type().get().dtype(), dims)), input.inList()));
                changed = true;
            } else {
                inputs.add(input);
            }
        }
        if (!changed) {
            return model;
        }
        dev.tally.ir.Graph graph = model.graph();
        dev.tally.ir.Graph opened = new dev.tally.ir.Graph(graph.name(), inputs, graph.outputs(), graph.nodes(), graph.params(),
                graph.constants());
        return new Model(model.path(), model.format(), model.producer(), opened, model.notes());
    }

    private InputShapes() {
    }

    /** A name standing for the batch at axis 0 of an {@code --input}: {@code B}, {@code N}, {@code batch}. */
    private static final java.util.regex.Pattern BATCH_NAME = java.util.regex.Pattern.compile("[A-Za-wyzA-Z_][A-Za-wyz0-9_]*");

    /** The {@code :maxN} suffix of an {@code --input}: the largest value of an integer input. */
    private static final java.util.regex.Pattern VALUE_BOUND = java.util.regex.Pattern.compile(":max([0-9]{1,18})$");

    /** Parses {@code 1x3x224x224} (also {@code 1,3,224,224}) into a shape. */
    public static Shape parseShape(String text) {
        String[] parts = text.trim().split("[x,×*]");
        long[] dims = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                // Long.parseLong also reads other scripts' digits ('١'); a shape is written in ASCII digits only.
                if (!parts[i].trim().matches("[0-9]{1,18}")) {
                    throw new NumberFormatException();
                }
                dims[i] = Long.parseLong(parts[i].trim());
                if (dims[i] <= 0) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new UsageException("Cannot read the shape '" + text + "'; write it as positive sizes joined by x, e.g. 1x3x224x224.");
        }
        return Shape.of(dims);
    }

    /**
     * Parses repeated {@code --input} values: {@code 1x3x224x224} or {@code name=1x3x224x224}, each optionally
     * followed by {@code :dtype} ({@code :float16}, one of {@link DType#INPUT_TYPES}) and, for an integer input, by
     * {@code :maxN}, the largest value it holds ({@code lengths=1:int64:max100}).
     */
    public static Map<String, Shape> parseOverrides(List<String> specs) {
        Overrides result = new Overrides();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String name = eq < 0 ? UNNAMED : spec.substring(0, eq);
            if (eq >= 0 && name.isBlank()) {
                throw new UsageException("The --input '" + spec + "' has an empty name before '='; write name=1x3x224x224, or the shape alone for a single input.");
            }
            String value = spec.substring(eq + 1);
            int colon = value.indexOf(':');
            DType dtype = null;
            Long max = null;
            java.util.regex.Matcher bound = VALUE_BOUND.matcher(value);
            if (bound.find()) {
                max = Long.parseLong(bound.group(1));
                value = value.substring(0, bound.start());
                colon = value.indexOf(':');
            }
            if (colon >= 0) {
                try {
                    dtype = DType.inputType(value.substring(colon + 1));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("The --input '" + spec + "' names an " + Character.toLowerCase(e.getMessage().charAt(0))
                            + e.getMessage().substring(1));
                }
                value = value.substring(0, colon);
            }
            boolean repeated = result.containsKey(name);
            String[] first = value.strip().split("[x,×*]", 2);
            boolean symbolic = first.length == 2 && BATCH_NAME.matcher(first[0].strip()).matches();
            result.with(name, parseShape(symbolic ? "1x" + first[1] : value), dtype);
            if (symbolic) {
                result.withSymbolicBatch(name);
            }
            if (max != null) {
                if (dtype == null || !dtype.isIntegral() || dtype == DType.BOOL) {
                    throw new UsageException("The --input '" + spec + "' bounds its values, which needs an integer type before"
                            + " it: write " + (name.isEmpty() ? "" : name + "=") + value + ":int64:max" + max + ".");
                }
                result.withValueBound(name, max);
            }
            if (repeated) {
                throw new UsageException("The input '" + (name.isEmpty() ? spec : name) + "' is given twice with --input.");
            }
        }
        return result;
    }

    /** Resolves every graph input of {@code model}, naming the {@code --input} that fixes any dim left open. */
    public static List<ResolvedInput> resolve(Model model, Map<String, Shape> overrides) {
        List<Value> inputs = model.graph().inputs();
        String file = model.path().getFileName().toString();
        Set<String> names = inputs.stream().map(Value::name).collect(Collectors.toSet());
        for (String name : overrides.keySet()) {
            if (name.equals(UNNAMED) && inputs.size() != 1) {
                throw new UsageException(file + " has " + inputs.size() + " inputs (" + String.join(", ", names)
                        + "); name each one, e.g. --input " + (inputs.isEmpty() ? "x" : inputs.get(0).name()) + "=1x3x224x224.");
            }
            if (!name.equals(UNNAMED) && !names.contains(name)) {
                throw new UsageException(file + " has no input '" + name + "'; its inputs are: " + String.join(", ", names) + ".");
            }
        }
        List<ResolvedInput> resolved = new ArrayList<>();
        for (Value input : inputs) {
            Shape override = overrides.containsKey(input.name()) || inputs.size() != 1
                    ? overrides.get(input.name()) : overrides.get(UNNAMED);
            DType declared = input.type().map(TensorType::dtype).orElse(DType.FLOAT32);
            String key = overrides.containsKey(input.name()) || inputs.size() != 1 ? input.name() : UNNAMED;
            DType dtype = dtypeOf(overrides, key).orElse(declared);
            if (input.type().isPresent() && dtype != declared) {
                throw new UsageException(file + ": input '" + input.name() + "' is " + declared.displayName()
                        + " in the file, but --input gives " + dtype.displayName() + "; drop the ':" + dtype.displayName()
                        + "' (the file fixes the input's type) or re-export the model for " + dtype.displayName() + " input.");
            }
            if (override != null) {
                input.type().ifPresent(t -> checkRank(file, input.name(), t, override));
                resolved.add(new ResolvedInput(input.name(), dtype, override, symbolicBatch(overrides, key)
                        ? ResolvedInput.Source.DEFAULT_BATCH : ResolvedInput.Source.USER));
            } else {
                resolved.add(fromModel(file, input));
            }
        }
        return resolved;
    }

    private static ResolvedInput fromModel(String file, Value input) {
        TensorType type = input.type().orElseThrow(() -> new UsageException(
                file + ": input '" + input.name() + "' has no declared shape; pass --input " + input.name() + "=1x3x224x224."));
        List<Dim> dims = type.dims();
        long[] sizes = new long[dims.size()];
        boolean defaulted = false;
        for (int i = 0; i < sizes.length; i++) {
            if (dims.get(i) instanceof Dim.Known known) {
                sizes[i] = known.value();
            } else if (i == 0) {
                sizes[i] = 1;
                defaulted = true;
            } else {
                throw new UsageException(file + ": input '" + input.name() + "' has a symbolic dim '" + dims.get(i)
                        + "' at axis " + i + "; pass --input " + input.name() + "=" + example(dims) + ".");
            }
        }
        return new ResolvedInput(input.name(), type.dtype(), Shape.of(sizes),
                defaulted ? ResolvedInput.Source.DEFAULT_BATCH : ResolvedInput.Source.MODEL);
    }

    private static void checkRank(String file, String name, TensorType declared, Shape given) {
        if (declared.dims().size() != given.rank()) {
            throw new UsageException(file + ": input '" + name + "' has rank " + declared.dims().size() + " (" + declared
                    + "), but --input gives " + given + "; pass --input " + name + "=" + example(declared.dims()) + ".");
        }
        for (int i = 0; i < given.rank(); i++) {
            if (declared.dims().get(i) instanceof Dim.Known known && known.value() != given.dim(i)) {
                throw new UsageException(file + ": input '" + name + "' has size " + known.value() + " at axis " + i
                        + ", but --input gives " + given.dim(i) + "; the model was exported with fixed sizes there.");
            }
        }
    }

    /** An example shape for a message: known dims as they are, the batch as 1, other symbols as 224 or 3. */
    private static String example(List<Dim> dims) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < dims.size(); i++) {
            if (i > 0) {
                text.append('x');
            }
            text.append(dims.get(i) instanceof Dim.Known k ? k.value() : i == 0 ? 1 : i == 1 && dims.size() == 4 ? 3 : 224);
        }
        return text.toString();
    }
}
