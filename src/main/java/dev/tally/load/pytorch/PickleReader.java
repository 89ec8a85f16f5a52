package dev.tally.load.pytorch;

import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import dev.tally.ir.UnsafePickleException;
import dev.tally.load.Limits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Reads a PyTorch pickle ({@code data.pkl}, {@code constants.pkl}) into plain Java values without running
 * anything: dicts become {@link LinkedHashMap}s, lists {@link List}s, tuples {@code Object[]}, TorchScript
 * objects {@link TorchObject}s, tensors {@link TensorRef}s over {@link StorageRef}s.
 *
 * <p>Why razorvine's {@link Unpickler} can be restricted safely: its opcode decoding, stack and memo are kept,
 * but every opcode that names or calls a global (GLOBAL, STACK_GLOBAL, INST, REDUCE, NEWOBJ, NEWOBJ_EX, OBJ,
 * BUILD, EXT1/2/4) is handled here (and the dict opcodes, to keep key order), so razorvine's process-wide constructor registry and its reflective
 * {@code __setstate__} call are never reached. A global only ever becomes a {@link PyGlobal} (a name); a call of
 * one is interpreted for the allow-list ({@link SafeGlobals}) and otherwise refused, or, in
 * {@link Mode#RECORD}, kept as an inert {@link PyCall}. Every global met is recorded, in order.
 */
public final class PickleReader {
    /** What to do with a global outside the allow-list. */
    public enum Mode {
        /** Refuse the file with an {@link UnsafePickleException} naming the global (loading a model). */
        STRICT,
        /** Record the global, stand an inert {@link PyCall} in for its result, and read on (an audit). */
        RECORD
    }

    private final String fileName;
    private final String recordName;
    private final Mode mode;
    private final Function<String, OptionalLong> storageRecordSize;
    private final Set<PyGlobal> globals = new LinkedHashSet<>();
    private final List<PickleUse> uses = new ArrayList<>();
    private final Set<PyGlobal> used = new java.util.HashSet<>();
    /** Where the opcode being read starts, for {@link PickleUse#offset}. */
    private long opcodeOffset;

    /**
     * @param fileName          the model file, for messages
     * @param recordName        the pickle's record ({@code data.pkl}), for messages
     * @param storageRecordSize the size of {@code data/<key>} by key, from the zip directory
     */
    public PickleReader(String fileName, String recordName, Mode mode, Function<String, OptionalLong> storageRecordSize) {
        this.fileName = fileName;
        this.recordName = recordName;
        this.mode = mode;
        this.storageRecordSize = storageRecordSize;
    }

    private boolean integerIds;

    /**
     * Integer persistent ids become inert references: the tar format's object pickle names storages and tensors by
     * an integer key into what its other members built.
     */
    public void acceptIntegerIds() {
        integerIds = true;
    }

    /** Reads one pickle. */
    public Object read(byte[] pickle) {
        return read(new ByteArrayInputStream(pickle));
    }

    /**
     * Reads the next pickle of a stream and stops right after its STOP opcode: torch.save's legacy format is
     * several pickles in a row followed by raw storages (the checkpoint audit reads it this way).
     */
    public Object read(InputStream in) {
        Restricted unpickler = new Restricted();
        try {
            return unpickler.load(new CountingInputStream(in));
        } catch (ModelException e) {
            throw e;
        } catch (StackOverflowError e) {
            // razorvine's decoder is a loop; only a value nested past the thread's stack can get here.
            throw new ModelException(fileName + ": '" + recordName + "' nests values deeper than Tally follows; the file is damaged or hostile.");
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ModelException(fileName + ": '" + recordName + "' is not a pickle Tally can read (" + brief(stripPeriod(why))
                    + "); the file is damaged or was not written by PyTorch.", e);
        }
    }

    /** Every global the pickles read so far named, allowed or not, in first-met order. */
    public List<PyGlobal> globals() {
        return List.copyOf(globals);
    }

    /**
     * What the pickles read so far import or call, one entry per distinct global, with the opcode and place it was
     * first met; kept when a later opcode turns out damaged, so a finding met before the damage survives it.
     */
    public List<PickleUse> uses() {
        return List.copyOf(uses);
    }

    /** The globals met that are outside the allow-list. */
    public List<PyGlobal> unsafeGlobals() {
        List<PyGlobal> unsafe = new ArrayList<>();
        for (PyGlobal global : globals) {
            if (!SafeGlobals.isAllowed(global)) {
                unsafe.add(global);
            }
        }
        return unsafe;
    }

    private PyGlobal meet(String module, String name, String opcode) {
        PyGlobal global = new PyGlobal(printable(module), printable(name));
        globals.add(global);
        use(global, opcode);
        if (mode == Mode.STRICT && !SafeGlobals.isAllowed(global)) {
            throw new UnsafePickleException(fileName + ": '" + recordName + "' references the global '" + global
                    + "', which is not a PyTorch model global, so Tally refuses the file without running it; inspect it with 'tally audit'.",
                    global.qualifiedName());
        }
        return global;
    }

    /**
     * A name as the report may print it: control characters and other unprintable code points (a hostile name can
     * hold terminal escapes or raw bytes) become backslash escapes (x followed by two hex digits, or u and four). Real module and class names are unchanged.
     */
    private static final int MAX_SHOWN = 120;

    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().limit(MAX_SHOWN).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || !Character.isDefined(c) || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.SURROGATE || Character.getType(c) == Character.PRIVATE_USE) {
                out.append(c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return text.codePointCount(0, text.length()) > MAX_SHOWN ? out + "..." : out.toString();
    }

    /** Records a construct or global once, with where it was first met. */
    private void use(PyGlobal global, String opcode) {
        if (used.add(global)) {
            uses.add(new PickleUse(global, opcode, recordName, opcodeOffset));
        }
    }

    /**
     * Records something Python would import or call that is not a plain global (calling a call's result, an
     * extension code, a persistent id that is not a storage); a model load refuses it outright.
     */
    private PyGlobal construct(PyGlobal pseudo, String opcode, String what) {
        if (mode == Mode.STRICT) {
            throw new UnsafePickleException(fileName + ": '" + recordName + "' " + what
                    + ", which PyTorch never writes, so Tally refuses the file without running it; inspect it with 'tally audit'.",
                    pseudo.qualifiedName());
        }
        use(pseudo, opcode);
        return pseudo;
    }

    /** What calling {@code callee} with {@code args} yields: interpreted for allowed globals, inert otherwise. */
    private Object call(Object callee, Object[] args, String opcode) {
        if (callee instanceof PyCall result) {
            // getattr(__import__('os'), 'system')(...), functools.partial(...)(): the callee is what a call returned.
            PyGlobal pseudo = construct(new PyGlobal(result.callee().module(), result.callee().name() + "(...)"), opcode,
                    "calls the result of '" + result.callee() + "'");
            return PyCall.of(pseudo, args, false);
        }
        if (callee instanceof TorchObject object) {
            PyGlobal pseudo = construct(new PyGlobal(object.className(), "(...)"), opcode, "calls an object of '" + object.className() + "'");
            return PyCall.of(pseudo, args, false);
        }
        if (!(callee instanceof PyGlobal global)) {
            throw new ModelException(fileName + ": '" + recordName + "' calls a " + typeName(callee)
                    + " instead of a global; the file is damaged or was not written by PyTorch.");
        }
        SafeGlobals.Kind kind = SafeGlobals.classify(global).orElse(null);
        if (kind == null) {
            return PyCall.of(global, args, false);
        }
        switch (kind) {
            case REBUILD_TENSOR:
                return rebuildTensor(global, args);
            case REBUILD_QTENSOR:
                // _rebuild_qtensor(storage, storage_offset, size, stride, quantizer_params, requires_grad, backward_hooks)
                return rebuildTensor(global, args).withRequiresGrad(args.length > 5 && Boolean.TRUE.equals(args[5]));
            case REBUILD_PARAMETER:
                if (args.length < 2 || !(args[0] instanceof TensorRef tensor)) {
                    throw badArgs(global);
                }
                return tensor.withRequiresGrad(Boolean.TRUE.equals(args[1]));
            case ORDERED_DICT:
                return new LinkedHashMap<Object, Object>();
            case TORCHSCRIPT_CLASS:
                return new TorchObject(global.qualifiedName());
            case IDENTITY:
                if (args.length < 1) {
                    throw badArgs(global);
                }
                return args[0];
            default:
                return PyCall.of(global, args, true);
        }
    }

    private TensorRef rebuildTensor(PyGlobal global, Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef storage)) {
            throw badArgs(global);
        }
        boolean requiresGrad = args.length > 4 && Boolean.TRUE.equals(args[4]);  // a qtensor's args[4] is its quantizer: false
        long offset = toLong(args[1], global);
        List<Long> sizes = longs(args[2], global);
        List<Long> strides = longs(args[3], global);
        long elements = 1;
        for (long size : sizes) {
            if (size < 0) {
                throw new ModelException(fileName + ": '" + recordName + "' rebuilds a tensor with the negative size " + size
                        + " (sizes " + sizes + "); the file is damaged or hostile.");
            }
            elements = multiply(elements, size, sizes);
        }
        if (offset < 0 || strides.stream().anyMatch(stride -> stride < 0) || strides.size() != sizes.size()) {
            throw new ModelException(fileName + ": '" + recordName + "' rebuilds a tensor with offset " + offset + " and strides " + strides
                    + " for sizes " + sizes + ", which PyTorch never writes; the file is damaged or hostile.");
        }
        return new TensorRef(storage, offset, sizes, strides, requiresGrad);
    }

    private long multiply(long a, long b, List<Long> sizes) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new ModelException(fileName + ": '" + recordName + "' rebuilds a tensor whose sizes " + sizes
                    + " multiply past 2^63 elements; the file is damaged or hostile.");
        }
    }

    /** {@code ('storage', storage_type, key, location, numel)}, the persistent id torch.save and torch.jit.save write. */
    private Object storage(Object pid) {
        Object tag = pid instanceof Object[] t && t.length > 0 ? t[0] : pid;
        if (integerIds && (pid instanceof Integer || pid instanceof Long || pid instanceof String)) {
            return PyCall.of(new PyGlobal("torch.serialization", "deserialized_objects"), new Object[] {pid}, true);
        }
        if (mode == Mode.RECORD && !"storage".equals(tag)) {
            // torch.load's persistent_load treats other tags its own way (legacy 'module' returns the object itself).
            String shown = tag instanceof String || tag instanceof Number ? "'" + printable(String.valueOf(tag)) + "'" : typeName(tag);
            PyGlobal pseudo = construct(new PyGlobal("torch.serialization", "persistent_load(" + shown + ")"), "BINPERSID",
                    "has a persistent id that is not a storage");
            return PyCall.of(pseudo, new Object[0], false);
        }
        if (!(pid instanceof Object[] tuple) || tuple.length < 5 || !"storage".equals(tuple[0])
                || !(tuple[1] instanceof PyGlobal type) || !(tuple[2] instanceof String key)) {
            throw new ModelException(fileName + ": '" + recordName + "' has a persistent id that is not a PyTorch storage ("
                    + describe(pid) + "); the file is damaged or was not written by PyTorch.");
        }
        DType dtype = SafeGlobals.storageDType(type.name()).orElseThrow(() -> new ModelException(fileName + ": '" + recordName
                + "' names the storage type '" + type + "', which Tally does not know; re-save the model with a float or integer dtype."));
        String location = tuple[3] == null ? "" : tuple[3].toString();
        long numel = toLong(tuple[4], type);
        if (numel < 0 || numel > Long.MAX_VALUE / 16) {
            throw new ModelException(fileName + ": '" + recordName + "' declares storage '" + key + "' with " + numel
                    + " elements, which no file can hold; the file is damaged or hostile.");
        }
        return new StorageRef(key, dtype, type.name(), location, numel, storageRecordSize.apply(key));
    }

    private List<Long> longs(Object value, PyGlobal global) {
        List<Long> result = new ArrayList<>();
        if (value instanceof Object[] tuple) {
            for (Object item : tuple) {
                result.add(toLong(item, global));
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                result.add(toLong(item, global));
            }
        } else {
            throw badArgs(global);
        }
        return result;
    }

    private long toLong(Object value, PyGlobal global) {
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw badArgs(global);
    }

    private ModelException badArgs(PyGlobal global) {
        return new ModelException(fileName + ": '" + recordName + "' calls '" + global
                + "' with arguments PyTorch never writes; the file is damaged.");
    }

    private static String typeName(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }

    /**
     * One level only (a hostile pid can contain itself), cut short and escaped: a pid can hold a whole zip of raw
     * bytes, which must never reach the terminal.
     */
    private static String describe(Object value) {
        return printable(describeRaw(value));
    }

    private static String describeRaw(Object value) {
        if (value instanceof Object[] tuple) {
            List<String> items = new ArrayList<>();
            for (Object item : tuple) {
                items.add(item == null || item instanceof String || item instanceof Number || item instanceof PyGlobal
                        ? String.valueOf(item) : typeName(item));
            }
            return "(" + String.join(", ", items) + ")";
        }
        return value == null || value instanceof String || value instanceof Number ? String.valueOf(value) : typeName(value);
    }

    /** The decoder's own words, cut short: they can quote the file (a number it failed to parse), which may be long. */
    private static String brief(String why) {
        return why.length() <= 160 ? why : why.substring(0, 160) + "...";
    }

    private static String stripPeriod(String message) {
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    /** razorvine's decoder with every global-related opcode taken over (see the class comment). */
    private final class Restricted extends Unpickler {
        private long opcodes;

        @Override
        protected Object dispatch(short key) throws PickleException, IOException {
            opcodeOffset = ((CountingInputStream) input).position() - 1;
            if (++opcodes > Limits.pickleOpcodes()) {
                throw Limits.exceeded(fileName + ": '" + recordName + "'", "pickle opcodes", Limits.pickleOpcodes(), "tally.limits.pickleOpcodes");
            }
            switch (key) {
                case Opcodes.PUT:
                case Opcodes.BINPUT:
                case Opcodes.LONG_BINPUT:
                case Opcodes.MEMOIZE:
                    if (memo.size() >= Limits.pickleMemo()) {
                        throw Limits.exceeded(fileName + ": '" + recordName + "'", "pickle memo entries", Limits.pickleMemo(), "tally.limits.pickleMemo");
                    }
                    return super.dispatch(key);
                case Opcodes.ADDITEMS:
                case Opcodes.FROZENSET: {
                    List<Object> items = stack.pop_all_since_marker();
                    for (Object item : items) {
                        hashable(item);
                    }
                    if (key == Opcodes.FROZENSET) {
                        stack.add(new java.util.HashSet<>(items));
                    } else if (stack.peek() instanceof Set<?> set) {
                        addAll(set, items);
                    } else {
                        throw new PickleException("ADDITEMS on a " + typeName(stack.peek()) + ", which is not a set");
                    }
                    return NO_RETURN_VALUE;
                }
                case Opcodes.GLOBAL: {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    stack.add(meet(module, name, "GLOBAL"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.STACK_GLOBAL: {
                    Object name = stack.pop();
                    Object module = stack.pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw new PickleException("STACK_GLOBAL needs two strings");
                    }
                    stack.add(meet(m, n, "STACK_GLOBAL"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.INST: {
                    String module = PickleUtils.readline(input);
                    String name = PickleUtils.readline(input);
                    PyGlobal global = meet(module, name, "INST");
                    stack.add(call(global, stack.pop_all_since_marker().toArray(), "INST"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.OBJ: {
                    List<Object> items = stack.pop_all_since_marker();
                    if (items.isEmpty()) {
                        throw new PickleException("OBJ without a class");
                    }
                    stack.add(call(items.get(0), items.subList(1, items.size()).toArray(), "OBJ"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.REDUCE:
                case Opcodes.NEWOBJ: {
                    Object args = stack.pop();
                    Object callee = stack.pop();
                    stack.add(call(callee, tuple(args), key == Opcodes.REDUCE ? "REDUCE" : "NEWOBJ"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.NEWOBJ_EX: {
                    stack.pop();
                    Object args = stack.pop();
                    Object callee = stack.pop();
                    stack.add(call(callee, tuple(args), "NEWOBJ_EX"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.BUILD: {
                    Object state = stack.pop();
                    build(stack.peek(), state);
                    return NO_RETURN_VALUE;
                }
                case Opcodes.EMPTY_DICT:
                    // Insertion order is kept: it is the order of a state_dict and of module attributes.
                    stack.add(new LinkedHashMap<Object, Object>());
                    return NO_RETURN_VALUE;
                case Opcodes.DICT: {
                    List<Object> items = stack.pop_all_since_marker();
                    Map<Object, Object> dict = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        dict.put(hashable(items.get(i)), items.get(i + 1));
                    }
                    stack.add(dict);
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEM: {
                    Object value = stack.pop();
                    Object itemKey = stack.pop();
                    setItems(stack.peek(), java.util.Arrays.asList(itemKey, value));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.SETITEMS:
                    // razorvine gathers SETITEMS into a HashMap first, which loses the order of a state_dict.
                    setItems(null, stack.pop_all_since_marker());
                    return NO_RETURN_VALUE;
                case Opcodes.EXT1:
                case Opcodes.EXT2:
                case Opcodes.EXT4: {
                    // copyreg's extension registry maps a code to a global that only the loading process knows.
                    int width = key == Opcodes.EXT1 ? 1 : key == Opcodes.EXT2 ? 2 : 4;
                    byte[] bytes = input.readNBytes(width);
                    if (bytes.length < width) {
                        throw new PickleException("the pickle ends inside an extension code");
                    }
                    long code = 0;
                    for (int i = width - 1; i >= 0; i--) {
                        code = (code << 8) | (bytes[i] & 0xff);
                    }
                    stack.add(construct(new PyGlobal("copyreg", "_extension_registry[" + code + "]"), "EXT" + width,
                            "uses the pickle extension registry (code " + code + ")"));
                    return NO_RETURN_VALUE;
                }
                case Opcodes.BINSTRING:
                case Opcodes.BINUNICODE:
                case Opcodes.BINBYTES:
                case Opcodes.LONG4:
                    checkLength(4);
                    return super.dispatch(key);
                case Opcodes.BINUNICODE8:
                case Opcodes.BINBYTES8:
                case Opcodes.BYTEARRAY8:
                    checkLength(8);
                    return super.dispatch(key);
                default:
                    return super.dispatch(key);
            }
        }

        /**
         * A length prefix larger than what is left of the pickle is a damaged or hostile file; checked before
         * razorvine allocates a buffer of that length.
         */
        private void checkLength(int width) throws IOException {
            input.mark(width);
            byte[] prefix = input.readNBytes(width);
            input.reset();
            long length = 0;
            for (int i = prefix.length - 1; i >= 0; i--) {
                length = (length << 8) | (prefix[i] & 0xff);
            }
            if (prefix.length < width || length < 0 || length > input.available() - width) {
                throw new PickleException("a length of " + length + " bytes runs past the end of the pickle");
            }
        }

        @Override
        protected Object persistentLoad(Object pid) {
            return storage(pid);
        }


        private Object[] tuple(Object args) throws PickleException {
            if (args instanceof Object[] array) {
                return array;
            }
            throw new PickleException("call arguments are not a tuple");
        }

        @SuppressWarnings("unchecked")
        private void setItems(Object target, List<Object> items) throws PickleException {
            Object dict = target == null ? stack.peek() : target;
            if (!(dict instanceof Map<?, ?> map)) {
                throw new PickleException("SETITEMS on a " + typeName(dict) + ", which is not a dict");
            }
            for (int i = 0; i + 1 < items.size(); i += 2) {
                ((Map<Object, Object>) map).put(hashable(items.get(i)), items.get(i + 1));
            }
        }

        @SuppressWarnings("unchecked")
        private void addAll(Set<?> set, List<Object> items) {
            ((Set<Object>) set).addAll(items);
        }

        /** Python refuses lists, dicts and sets as keys; hashing one that contains itself would never end here. */
        private Object hashable(Object key) throws PickleException {
            if (key instanceof List<?> || key instanceof Map<?, ?> || key instanceof Set<?>) {
                throw new PickleException("a " + typeName(key) + " is used as a dict key or set item, which Python refuses");
            }
            return key;
        }

        @SuppressWarnings("unchecked")
        private void build(Object target, Object state) {
            if (target instanceof TorchObject object) {
                if (state instanceof Map<?, ?> attributes) {
                    for (Map.Entry<?, ?> entry : attributes.entrySet()) {
                        object.attributes().put(String.valueOf(entry.getKey()), entry.getValue());
                    }
                } else {
                    object.states().add(state);
                }
            } else if (target instanceof PyCall call) {
                // Python calls the object's __setstate__ (or fills its __dict__): code of the callee's class runs.
                construct(new PyGlobal(call.callee().module(), call.callee().name() + "(...).__setstate__"), "BUILD",
                        "sets state on a '" + call.callee() + "' object");
                call.states().add(state);
            } else if (target instanceof Map<?, ?> map && state instanceof Map<?, ?> entries) {
                ((Map<Object, Object>) map).putAll(entries);
            } else if (!(target instanceof TensorRef)) {
                // Tensors get BUILD state only for Python-side attributes, which Tally does not need.
                throw new ModelException(fileName + ": '" + recordName + "' sets state on a " + typeName(target)
                        + ", which PyTorch never writes; the file is damaged.");
            }
        }
    }
}
