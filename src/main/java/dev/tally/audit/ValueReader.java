package dev.tally.audit;

import dev.tally.load.checkpoint.Checkpoint;
import dev.tally.load.pytorch.TensorRef;
import dev.tally.ir.DType;
import dev.tally.ir.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

/**
 * Reads tensor elements for {@code --values}, the only time Tally reads weight bytes. Storages are
 * little-endian, as torch.save writes them on every machine PyTorch supports.
 */
final class ValueReader {
    private ValueReader() {
    }

    static Map<String, ValueStats> read(Checkpoint checkpoint, Map<String, TensorRef> tensors) {
        Map<String, ValueStats> stats = new LinkedHashMap<>();
        Map<String, ByteBuffer> cache = new LinkedHashMap<>();
        try (ZipFile zip = checkpoint.format().equals("zip") ? new ZipFile(checkpoint.path().toFile()) : null;
             FileChannel channel = FileChannel.open(checkpoint.path(), StandardOpenOption.READ)) {
            for (Map.Entry<String, TensorRef> item : tensors.entrySet()) {
                TensorRef tensor = item.getValue();
                DType dtype = tensor.dtype();
                if (dtype == DType.OTHER || dtype == DType.COMPLEX64 || dtype == DType.COMPLEX128) {
                    continue;
                }
                Checkpoint.StorageData data = checkpoint.storageData().get(tensor.storage().key());
                if (data == null) {
                    continue; // a bare pickle holds no storage bytes
                }
                ByteBuffer storage = cache.get(tensor.storage().key());
                if (storage == null) {
                    cache.clear(); // state_dicts rarely share storages across distant keys; keep one in memory
                    storage = load(zip, channel, data, checkpoint.fileName());
                    cache.put(tensor.storage().key(), storage);
                }
                stats.put(item.getKey(), stats(storage, tensor, checkpoint.fileName(), item.getKey()));
            }
        } catch (IOException e) {
            throw new ModelException(checkpoint.fileName() + " cannot be read for --values (" + e.getMessage() + "); the file is damaged or truncated.");
        }
        return stats;
    }

    private static ByteBuffer load(ZipFile zip, FileChannel channel, Checkpoint.StorageData data, String file) throws IOException {
        if (data.length() > Integer.MAX_VALUE - 16) {
            throw new ModelException(file + ": a storage of " + data.length() + " bytes is too large for --values; audit without --values.");
        }
        if (zip != null) {
            try (InputStream in = zip.getInputStream(zip.getEntry(data.zipEntry()))) {
                return ByteBuffer.wrap(in.readNBytes((int) data.length())).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, data.offset(), data.length()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Visits every element of the view (offset, shape, stride), contiguous or not. */
    static ValueStats stats(ByteBuffer storage, TensorRef tensor, String file, String name) {
        DType dtype = tensor.dtype();
        int size = dtype.byteSize();
        List<Long> shape = tensor.sizes();
        List<Long> stride = tensor.strides();
        int rank = shape.size();
        long numel = tensor.shape().numel();
        long nan = 0;
        long posInf = 0;
        long negInf = 0;
        long finite = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        long[] index = new long[rank];
        long position = tensor.offset();
        for (long i = 0; i < numel; i++) {
            long byteOffset = Math.multiplyExact(position, (long) size);
            if (byteOffset < 0 || byteOffset + size > storage.capacity()) {
                throw new ModelException(file + ": tensor '" + name + "' reaches past the end of its storage; the file is damaged.");
            }
            double value = element(storage, (int) byteOffset, dtype);
            if (Double.isNaN(value)) {
                nan++;
            } else if (value == Double.POSITIVE_INFINITY) {
                posInf++;
            } else if (value == Double.NEGATIVE_INFINITY) {
                negInf++;
            } else {
                finite++;
                min = Math.min(min, value);
                max = Math.max(max, value);
                sum += value;
            }
            for (int axis = rank - 1; axis >= 0; axis--) {
                index[axis]++;
                position += stride.get(axis);
                if (index[axis] < shape.get(axis)) {
                    break;
                }
                position -= index[axis] * stride.get(axis);
                index[axis] = 0;
            }
        }
        return finite == 0 ? new ValueStats(nan, posInf, negInf, 0, Double.NaN, Double.NaN, Double.NaN)
                : new ValueStats(nan, posInf, negInf, finite, min, max, sum / finite);
    }

    static double element(ByteBuffer buffer, int at, DType dtype) {
        switch (dtype) {
            case FLOAT32: return buffer.getFloat(at);
            case FLOAT64: return buffer.getDouble(at);
            case FLOAT16: return halfToFloat(buffer.getShort(at));
            case BFLOAT16: return Float.intBitsToFloat((buffer.getShort(at) & 0xffff) << 16);
            case INT8, QINT8: return buffer.get(at);
            case QUINT8: return buffer.get(at) & 0xff;
            case QINT32: return buffer.getInt(at);
            case UINT8: return buffer.get(at) & 0xff;
            case BOOL: return buffer.get(at) != 0 ? 1 : 0;
            case INT16: return buffer.getShort(at);
            case UINT16: return buffer.getShort(at) & 0xffff;
            case INT32: return buffer.getInt(at);
            case UINT32: return buffer.getInt(at) & 0xffffffffL;
            case INT64: return buffer.getLong(at);
            case UINT64: return Double.parseDouble(Long.toUnsignedString(buffer.getLong(at)));
            default: throw new IllegalArgumentException("No element reader for " + dtype + ".");
        }
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa / 1024f / 16384f; // subnormal: mantissa * 2^-24
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
