package dev.tally.audit;

import dev.tally.ir.DType;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * razorvine's unpickler in audit mode: every opcode that names a global ({@code GLOBAL}, {@code STACK_GLOBAL},
 * {@code INST}, {@code OBJ}, {@code EXT*}) is recorded and answered with an inert stand-in, so nothing is
 * imported, instantiated by name or called. Tensor rebuilders and OrderedDict become {@link TensorRef} and
 * {@link PickledDict}; every other call becomes a {@link PickledObject}. Dicts keep their order (razorvine's
 * own SETITEMS goes through a HashMap), because a state_dict's order is its layer order.
 */
final class AuditUnpickler extends Unpickler {
    private static final short GLOBAL = 'c';
    private static final short STACK_GLOBAL = 0x93;
    private static final short INST = 'i';
    private static final short OBJ = 'o';
    private static final short BUILD = 'b';
    private static final short NEWOBJ_EX = 0x92;
    private static final short EXT1 = 0x82;
    private static final short EXT2 = 0x83;
    private static final short EXT4 = 0x84;
    private static final short EMPTY_DICT = '}';
    private static final short DICT = 'd';
    private static final short SETITEM = 's';
    private static final short SETITEMS = 'u';

    private final Map<GlobalRef, Integer> globals;
    private final Map<String, StorageRef> storages;

    /** Records into the caller's maps, so that several pickles of one file share them. */
    AuditUnpickler(Map<GlobalRef, Integer> globals, Map<String, StorageRef> storages) {
        this.globals = globals;
        this.storages = storages;
    }

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case GLOBAL: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(global(module, name));
                return NO_RETURN_VALUE;
            }
            case STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                stack.add(global(String.valueOf(module), String.valueOf(name)));
                return NO_RETURN_VALUE;
            }
            case INST: {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                List<Object> args = stack.pop_all_since_marker();
                stack.add(global(module, name).construct(args.toArray()));
                return NO_RETURN_VALUE;
            }
            case OBJ: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.isEmpty()) {
                    throw new PickleException("OBJ without a class");
                }
                stack.add(callable(items.get(0)).construct(items.subList(1, items.size()).toArray()));
                return NO_RETURN_VALUE;
            }
            case NEWOBJ_EX: {
                stack.pop(); // keyword arguments: recorded nowhere, since nothing is called
                Object args = stack.pop();
                Object cls = stack.pop();
                stack.add(callable(cls).construct(args instanceof Object[] a ? a : new Object[] {args}));
                return NO_RETURN_VALUE;
            }
            case EXT1:
            case EXT2:
            case EXT4: {
                int size = key == EXT1 ? 1 : key == EXT2 ? 2 : 4;
                byte[] code = PickleUtils.readbytes(input, size);
                long value = 0;
                for (int i = size - 1; i >= 0; i--) {
                    value = (value << 8) | (code[i] & 0xff);
                }
                // copyreg's extension registry maps the code to a global we cannot see; record the code.
                stack.add(global("copyreg", "extension_" + value));
                return NO_RETURN_VALUE;
            }
            case BUILD: {
                Object state = stack.pop();
                Object target = stack.peek();
                if (target instanceof PickledObject object) {
                    object.setState(state);
                } else if (target instanceof Map<?, ?> && state instanceof Map<?, ?>) {
                    // OrderedDict's state is its instance __dict__ (a state_dict's _metadata): not an entry.
                    return NO_RETURN_VALUE;
                }
                return NO_RETURN_VALUE;
            }
            case EMPTY_DICT:
                stack.add(new LinkedHashMap<Object, Object>());
                return NO_RETURN_VALUE;
            case DICT: {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> dict = new LinkedHashMap<>();
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(hashable(items.get(i)), items.get(i + 1));
                }
                stack.add(dict);
                return NO_RETURN_VALUE;
            }
            case SETITEM: {
                Object value = stack.pop();
                Object k = stack.pop();
                dict(stack.peek()).put(hashable(k), value);
                return NO_RETURN_VALUE;
            }
            case SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Map<Object, Object> dict = dict(stack.peek());
                for (int i = 0; i + 1 < items.size(); i += 2) {
                    dict.put(hashable(items.get(i)), items.get(i + 1));
                }
                return NO_RETURN_VALUE;
            }
            default:
                return super.dispatch(key);
        }
    }

    /** {@code ('storage', torch.FloatStorage, '0', 'cpu', 4096[, view])}: remembered by key, never read here. */
    @Override
    protected Object persistentLoad(Object pid) {
        if (!(pid instanceof Object[] id) || id.length < 5 || !"storage".equals(id[0])) {
            throw new PickleException("unknown persistent id " + describe(pid));
        }
        String storageType = id[1] instanceof Global g ? g.ref.qualifiedName() : String.valueOf(id[1]);
        String key = String.valueOf(id[2]);
        long numel = number(id[4]);
        StorageRef storage = new StorageRef(key, storageType, storageDtype(storageType), String.valueOf(id[3]), numel);
        StorageRef known = storages.putIfAbsent(key, storage);
        return known != null ? known : storage;
    }

    private Global global(String module, String name) {
        GlobalRef ref = new GlobalRef(module, name);
        globals.merge(ref, 1, Integer::sum);
        return new Global(ref);
    }

    private static IObjectConstructor callable(Object value) {
        if (value instanceof IObjectConstructor constructor) {
            return constructor;
        }
        throw new PickleException("a call of " + describe(value) + ", which is not a global");
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object target) {
        if (target instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        if (target instanceof PickledObject object) {
            // A dict subclass other than OrderedDict: keep its items in its state.
            if (!(object.state() instanceof Map<?, ?>)) {
                object.setState(new LinkedHashMap<Object, Object>());
            }
            return (Map<Object, Object>) object.state();
        }
        throw new PickleException("SETITEMS on " + describe(target) + ", which is not a dict");
    }

    /** Tuples arrive as Object[], whose identity hash would make equal keys differ. */
    private static Object hashable(Object key) {
        return key instanceof Object[] tuple ? Collections.unmodifiableList(Arrays.asList(tuple)) : key;
    }

    static long number(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.longValueExact();
        }
        throw new PickleException("expected an integer, found " + describe(value));
    }

    private static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof byte[] bytes) {
            return "bytes '" + new String(bytes, 0, Math.min(bytes.length, 20), StandardCharsets.ISO_8859_1) + "'";
        }
        return value instanceof Object[] ? "a tuple" : value.getClass().getSimpleName();
    }

    static DType storageDtype(String storageType) {
        String name = storageType.substring(storageType.lastIndexOf('.') + 1);
        switch (name) {
            case "FloatStorage": return DType.FLOAT32;
            case "DoubleStorage": return DType.FLOAT64;
            case "HalfStorage": return DType.FLOAT16;
            case "BFloat16Storage": return DType.BFLOAT16;
            case "LongStorage": return DType.INT64;
            case "IntStorage": case "QInt32Storage": return DType.INT32;
            case "ShortStorage": return DType.INT16;
            case "CharStorage": case "QInt8Storage": return DType.INT8;
            case "ByteStorage": case "QUInt8Storage": return DType.UINT8;
            case "BoolStorage": return DType.BOOL;
            case "ComplexFloatStorage": return DType.COMPLEX64;
            case "ComplexDoubleStorage": return DType.COMPLEX128;
            default: return DType.OTHER;
        }
    }

    /** A global as the pickle sees it: a callable whose calls are recorded, never made. */
    static final class Global implements IObjectConstructor {
        final GlobalRef ref;

        Global(GlobalRef ref) {
            this.ref = ref;
        }

        @Override
        public Object construct(Object[] args) {
            String name = ref.qualifiedName();
            switch (name) {
                case "torch._utils._rebuild_tensor":
                case "torch._utils._rebuild_tensor_v2":
                    if (args.length >= 4 && args[0] instanceof StorageRef storage) {
                        return new TensorRef(storage, number(args[1]), longs(args[2]), longs(args[3]), false);
                    }
                    break;
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    if (args.length >= 1 && args[0] instanceof TensorRef tensor) {
                        return tensor.asParameter();
                    }
                    break;
                case "collections.OrderedDict":
                case "collections.defaultdict":
                case "collections.Counter": {
                    PickledDict dict = new PickledDict(ref);
                    if (name.equals("collections.OrderedDict") && args.length == 1 && args[0] instanceof List<?> items) {
                        for (Object item : items) {
                            if (item instanceof Object[] pair && pair.length == 2) {
                                dict.put(hashable(pair[0]), pair[1]);
                            }
                        }
                    }
                    return dict;
                }
                default:
                    break;
            }
            return new PickledObject(ref, Arrays.asList(args));
        }

        @Override
        public String toString() {
            return ref.qualifiedName();
        }
    }

    private static List<Long> longs(Object tuple) {
        List<Long> values = new ArrayList<>();
        if (tuple instanceof Object[] items) {
            for (Object item : items) {
                values.add(number(item));
            }
        } else if (tuple instanceof PickledObject object && object.type().qualifiedName().equals("torch.Size")
                && !object.args().isEmpty()) {
            return longs(object.args().get(0));
        } else {
            throw new PickleException("expected a tuple of sizes, found " + describe(tuple));
        }
        return values;
    }
}
