package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Element-wise arithmetic and comparisons from TorchScript code: {@code add}, {@code sub}, {@code rsub} (with
 * {@code alpha}), {@code mul}, {@code div} (also with {@code rounding_mode="floor"}), {@code pow}, {@code remainder}
 * (Mod), {@code eq}, {@code ne}, {@code lt}, {@code le}, {@code gt}, {@code ge}, {@code masked_fill} (a Where), the
 * logical {@code and} and {@code or} of boolean tensors (And, Or) and {@code triu} and {@code tril} (Trilu: the triangle
 * kept, the rest zeroed).
 */
final class ArithmeticOps extends AtenFamily {

    ArithmeticOps(GraphBuilder graph) {
        super(graph);
        put(this::addOrSub, "add", "sub", "rsub");
        put(this::mulDivPow, "mul", "div", "pow");
        put(this::maskedFill, "masked_fill");
        put(this::remainder, "remainder");
        put(this::compare, "eq", "ne", "lt", "le", "gt", "ge");
        put(this::logical, "__and__", "bitwise_and", "logical_and", "__or__", "bitwise_or", "logical_or");
        put(this::triangle, "triu", "tril");
    }

    private Object addOrSub(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "other", "alpha");
        TensorValue self = a.tensor("self");
        TensorValue other = a.tensor("other");
        Object alpha = a.get("alpha");
        if (alpha != null && !(alpha instanceof Long l && l == 1)) {
            other = emit("Mul", site, attrs(), other, graph.scalar(alpha instanceof Number ? alpha : 1L));
        }
        if (name.equals("rsub")) {
            return emit("Sub", site, attrs(), other, self);
        }
        return emit(name.equals("add") ? "Add" : "Sub", site, attrs(), self, other);
    }

    private Object mulDivPow(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "other", "rounding_mode");
        if (a.has("rounding_mode")) {
            return name.equals("div") && a.string("rounding_mode", "").equals("floor") ? floorDivide(a, site) : AtenOps.NOT_HANDLED;
        }
        String op = name.equals("mul") ? "Mul" : name.equals("div") ? "Div" : "Pow";
        return emit(op, site, attrs(), a.tensor("self"), a.tensor("other"));
    }

    /**
     * {@code div(x, y, rounding_mode="floor")} (RetinaNet's and FCOS's anchor index of a top-k position): Div then Floor
     * for floating operands; for integers, whose Div truncates, {@code (x - x % y) / y} with Python's {@code %} (Mod),
     * exact for negative operands too.
     */
    private Object floorDivide(Args a, Site site) {
        TensorValue self = a.tensor("self");
        TensorValue other = a.tensor("other");
        if (!self.known() || !other.known()) {
            return AtenOps.NOT_HANDLED;
        }
        if (self.info().dtype().isFloatingPoint() || other.info().dtype().isFloatingPoint()) {
            return emit("Floor", site, attrs(), emit("Div", site, attrs(), self, other));
        }
        TensorValue rest = emit("Mod", site, attrs("fmod", new dev.tally.ir.Attribute.Int(0)), self, other);
        return emit("Div", site, attrs(), emit("Sub", site, attrs(), self, rest), other);
    }

    private Object remainder(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // x % y with the divisor's sign, as Python's: ONNX Mod with fmod 0.
        Args a = bind(name, args, kw, "self", "other");
        return emit("Mod", site, attrs("fmod", new dev.tally.ir.Attribute.Int(0)), a.tensor("self"), a.tensor("other"));
    }

    private Object maskedFill(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "mask", "value");
        return emit("Where", site, attrs(), a.tensor("mask"), a.tensor("value"), a.tensor("self"));
    }

    private Object compare(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "other");
        String op = switch (name) {
            case "eq", "ne" -> "Equal";
            case "lt" -> "Less";
            case "le" -> "LessOrEqual";
            case "gt" -> "Greater";
            default -> "GreaterOrEqual";
        };
        TensorValue result = emit(op, site, attrs(), a.tensor("self"), a.tensor("other"));
        return name.equals("ne") ? emit("Not", site, attrs(), result) : result;
    }

    private Object logical(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // a & b and a | b of boolean masks (a greedy NMS's "kept and overlapping"): ONNX And and Or. On integer tensors
        // & and | are bitwise, which And and Or are not, and logical_and of numbers tests != 0 first: those stay listed.
        Args a = bind(name, args, kw, "self", "other");
        TensorValue self = a.tensor("self");
        TensorValue other = a.tensor("other");
        if (!self.known() || !other.known() || self.info().dtype() != DType.BOOL || other.info().dtype() != DType.BOOL) {
            return AtenOps.NOT_HANDLED;
        }
        return emit(name.contains("and") ? "And" : "Or", site, attrs(), self, other);
    }

    private Object triangle(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // torch.triu(x, diagonal) keeps the elements on and above the diagonal-th diagonal of the last two axes and
        // zeroes the rest (tril below): ONNX Trilu with k = diagonal, upper = 1 for triu.
        Args a = bind(name, args, kw, "self", "diagonal");
        return emit("Trilu", site, attrs("upper", new Attribute.Int(name.equals("triu") ? 1 : 0)), a.tensor("self"),
                graph.scalar(a.integer("diagonal", 0)));
    }
}
