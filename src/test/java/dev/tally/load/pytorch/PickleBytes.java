package dev.tally.load.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembles pickle bytes opcode by opcode, so tests hold exactly the bytes a hostile or broken file would. */
public final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static PickleBytes protocol(int version) {
        PickleBytes pickle = new PickleBytes();
        pickle.out.write(0x80);
        pickle.out.write(version);
        return pickle;
    }

    /** GLOBAL: {@code c<module>\n<name>\n}. */
    public PickleBytes global(String module, String name) {
        out.write('c');
        writeAscii(module + "\n" + name + "\n");
        return this;
    }

    /** STACK_GLOBAL with the two names pushed as strings first (protocol 4). */
    public PickleBytes stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    /** INST (protocol 0): {@code i<module>\n<name>\n} over the items since the last mark. */
    public PickleBytes inst(String module, String name) {
        out.write('i');
        writeAscii(module + "\n" + name + "\n");
        return this;
    }

    public PickleBytes str(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        writeInt(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    public PickleBytes integer(int value) {
        out.write('J');
        writeInt(value);
        return this;
    }

    public PickleBytes bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    public PickleBytes none() {
        return op('N');
    }

    public PickleBytes mark() {
        return op('(');
    }

    public PickleBytes tuple() {
        return op('t');
    }

    public PickleBytes emptyTuple() {
        return op(')');
    }

    public PickleBytes emptyDict() {
        return op('}');
    }

    public PickleBytes emptyList() {
        return op(']');
    }

    public PickleBytes appends() {
        return op('e');
    }

    public PickleBytes setItems() {
        return op('u');
    }

    public PickleBytes reduce() {
        return op('R');
    }

    public PickleBytes newObj() {
        return op(0x81);
    }

    public PickleBytes build() {
        return op('b');
    }

    public PickleBytes persistentId() {
        return op('Q');
    }

    public PickleBytes put(int index) {
        op('q');
        out.write(index);
        return this;
    }

    public PickleBytes get(int index) {
        op('h');
        out.write(index);
        return this;
    }

    public PickleBytes op(int code) {
        out.write(code);
        return this;
    }

    /**
     * {@code torch._utils._rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel), 0, sizes,
     * strides, False, OrderedDict())}, as torch.jit.save writes a float tensor.
     */
    public PickleBytes floatTensor(String key, int... sizes) {
        int numel = 1;
        for (int size : sizes) {
            numel *= size;
        }
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).tuple().persistentId();
        integer(0);
        mark();
        for (int size : sizes) {
            integer(size);
        }
        tuple();
        mark();
        int stride = numel;
        for (int size : sizes) {
            stride /= size;
            integer(stride);
        }
        tuple();
        bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /** A 0-dim int64 tensor in storage {@code key}, as a traced constant ({@code CONSTANTS.c0}) is written. */
    public PickleBytes longScalar(String key) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", "LongStorage").str(key).str("cpu").integer(1).tuple().persistentId();
        integer(0).emptyTuple().emptyTuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    public byte[] stop() {
        out.write('.');
        return out.toByteArray();
    }

    private void writeInt(int value) {
        out.write(value & 0xff);
        out.write((value >>> 8) & 0xff);
        out.write((value >>> 16) & 0xff);
        out.write((value >>> 24) & 0xff);
    }

    private void writeAscii(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
