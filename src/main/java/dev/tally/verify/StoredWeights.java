package dev.tally.verify;

import dev.tally.ir.ModelException;
import dev.tally.load.onnx.proto.Onnx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How many elements each ONNX initializer's stored bytes hold: raw_data length or external data length divided
 * by the element size, or the count of the typed field (float_data, int64_data, ...). ONNX Runtime does not show
 * its weights, so this is the independent route to the param tally the static pass took from the dims.
 */
final class StoredWeights {
    private StoredWeights() {
    }

    /**
     * One stored tensor: the elements its bytes hold and the elements its dims declare.
     *
     * @param name        the value name nodes read it by
     * @param initializer true for a graph initializer, false for the value of a Constant node
     * @param storage     where the bytes are: {@code raw_data}, {@code float_data}, ..., {@code external 'file'}
     */
    record Stored(String name, boolean initializer, long storedElements, long declaredElements, String storage) {
        Stored(String name, long storedElements, long declaredElements, String storage) {
            this(name, true, storedElements, declaredElements, storage);
        }
    }

    /**
     * Every initializer of the main graph, then the tensor value of every Constant node (an exporter may keep a
     * weight there). A missing external data file makes a structure-only model, which cannot run (exit 2).
     */
    static List<Stored> of(OnnxFile onnx) {
        String file = onnx.path().getFileName().toString();
        Path folder = onnx.path().toAbsolutePath().getParent();
        List<Stored> result = new ArrayList<>();
        for (Onnx.TensorProto tensor : onnx.model().getGraph().getInitializerList()) {
            result.add(stored(file, folder, tensor, declared(tensor)));
        }
        for (Onnx.NodeProto node : onnx.model().getGraph().getNodeList()) {
            if (!node.getOpType().equals("Constant") || node.getOutputCount() != 1) {
                continue;
            }
            for (Onnx.AttributeProto attribute : node.getAttributeList()) {
                if (attribute.getName().equals("value") && attribute.hasT()) {
                    Onnx.TensorProto tensor = attribute.getT().toBuilder().setName(node.getOutput(0)).build();
                    Stored value = stored(file, folder, tensor, declared(tensor));
                    result.add(new Stored(value.name(), false, value.storedElements(), value.declaredElements(),
                            value.storage() + " of Constant node '" + node.getName() + "'"));
                }
            }
        }
        return result;
    }

    private static long declared(Onnx.TensorProto tensor) {
        long declared = 1;
        for (long dim : tensor.getDimsList()) {
            declared = Math.multiplyExact(declared, dim);
        }
        return declared;
    }

    private static Stored stored(String file, Path folder, Onnx.TensorProto tensor, long declared) {
        int type = tensor.getDataType();
        String name = tensor.getName();
        if (tensor.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            return external(file, folder, tensor, declared);
        }
        if (tensor.hasRawData()) {
            return new Stored(name, elements(file, tensor, tensor.getRawData().size()), declared, "raw_data");
        }
        switch (type) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE:
                return new Stored(name, tensor.getFloatDataCount(), declared, "float_data");
            case Onnx.TensorProto.DataType.COMPLEX64_VALUE:
                return new Stored(name, tensor.getFloatDataCount() / 2, declared, "float_data");
            case Onnx.TensorProto.DataType.DOUBLE_VALUE:
                return new Stored(name, tensor.getDoubleDataCount(), declared, "double_data");
            case Onnx.TensorProto.DataType.COMPLEX128_VALUE:
                return new Stored(name, tensor.getDoubleDataCount() / 2, declared, "double_data");
            case Onnx.TensorProto.DataType.INT64_VALUE:
                return new Stored(name, tensor.getInt64DataCount(), declared, "int64_data");
            case Onnx.TensorProto.DataType.UINT32_VALUE:
            case Onnx.TensorProto.DataType.UINT64_VALUE:
                return new Stored(name, tensor.getUint64DataCount(), declared, "uint64_data");
            case Onnx.TensorProto.DataType.STRING_VALUE:
                return new Stored(name, tensor.getStringDataCount(), declared, "string_data");
            default:
                // int32_data holds one element per entry for INT32 and every narrower type (ONNX IR spec).
                return new Stored(name, tensor.getInt32DataCount(), declared, "int32_data");
        }
    }

    private static Stored external(String file, Path folder, Onnx.TensorProto tensor, long declared) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (Onnx.StringStringEntryProto entry : tensor.getExternalDataList()) {
            try {
                switch (entry.getKey()) {
                    case "location" -> location = entry.getValue();
                    case "offset" -> offset = Long.parseLong(entry.getValue());
                    case "length" -> length = Long.parseLong(entry.getValue());
                    default -> {
                    }
                }
            } catch (NumberFormatException e) {
                throw new ModelException(file + ": initializer '" + tensor.getName() + "' has external_data "
                        + entry.getKey() + " '" + entry.getValue() + "', which is not a number; re-export the model.");
            }
        }
        if (location == null) {
            throw new ModelException(file + ": initializer '" + tensor.getName()
                    + "' is stored externally but names no location; re-export the model.");
        }
        Path data = folder.resolve(location);
        if (!Files.isRegularFile(data)) {
            throw new ModelException(file + " is a structure-only model: the weights of '" + tensor.getName()
                    + "' belong in '" + location + "', which is absent, so it cannot run; verify needs the full export"
                    + " (tally summary still counts it).");
        }
        if (length < 0) {
            try {
                length = Files.size(data) - offset;
            } catch (IOException e) {
                throw new ModelException(file + ": the external data file '" + location + "' cannot be read ("
                        + EngineCache.oneLine(e) + ").");
            }
        }
        return new Stored(tensor.getName(), elements(file, tensor, length), declared, "external '" + location + "'");
    }

    private static long elements(String file, Onnx.TensorProto tensor, long bytes) {
        int type = tensor.getDataType();
        switch (type) {
            case Onnx.TensorProto.DataType.UINT4_VALUE:
            case Onnx.TensorProto.DataType.INT4_VALUE:
            case Onnx.TensorProto.DataType.FLOAT4E2M1_VALUE:
                // Two 4-bit elements per byte; an odd count pads the last byte.
                return Math.multiplyExact(bytes, 2);
            default:
                int size = elementSize(type);
                if (size == 0) {
                    throw new ModelException(file + ": initializer '" + tensor.getName() + "' has data_type " + type
                            + ", whose element size verify does not know; re-export it with a standard type.");
                }
                return bytes / size;
        }
    }

    static int elementSize(int onnxType) {
        switch (onnxType) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE:
            case Onnx.TensorProto.DataType.INT32_VALUE:
            case Onnx.TensorProto.DataType.UINT32_VALUE:
                return 4;
            case Onnx.TensorProto.DataType.DOUBLE_VALUE:
            case Onnx.TensorProto.DataType.INT64_VALUE:
            case Onnx.TensorProto.DataType.UINT64_VALUE:
            case Onnx.TensorProto.DataType.COMPLEX64_VALUE:
                return 8;
            case Onnx.TensorProto.DataType.COMPLEX128_VALUE:
                return 16;
            case Onnx.TensorProto.DataType.FLOAT16_VALUE:
            case Onnx.TensorProto.DataType.BFLOAT16_VALUE:
            case Onnx.TensorProto.DataType.INT16_VALUE:
            case Onnx.TensorProto.DataType.UINT16_VALUE:
                return 2;
            case Onnx.TensorProto.DataType.INT8_VALUE:
            case Onnx.TensorProto.DataType.UINT8_VALUE:
            case Onnx.TensorProto.DataType.BOOL_VALUE:
            case Onnx.TensorProto.DataType.FLOAT8E4M3FN_VALUE:
            case Onnx.TensorProto.DataType.FLOAT8E4M3FNUZ_VALUE:
            case Onnx.TensorProto.DataType.FLOAT8E5M2_VALUE:
            case Onnx.TensorProto.DataType.FLOAT8E5M2FNUZ_VALUE:
                return 1;
            default:
                return 0;
        }
    }
}
