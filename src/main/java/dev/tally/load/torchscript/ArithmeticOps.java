package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Interpreter.Site;
import dev.tally.load.torchscript.Values.TensorValue;
import java.util.List;
import java.util.Map;

/**
 * Element-wise arithmetic and comparisons from TorchScript code: {@code add}, {@code sub}, {@code rsub} (with
 * {@code alpha}), {@code mul}, {@code div}, {@code pow}, {@code eq}, {@code ne}, {@code lt}, {@code le}, {@code gt},
 * {@code ge} and {@code masked_fill} (a Where).
 */
final class ArithmeticOps extends AtenFamily {

    ArithmeticOps(GraphBuilder graph) {
        super(graph);
        put(this::addOrSub, "add", "sub", "rsub");
        put(this::mulDivPow, "mul", "div", "pow");
        put(this::maskedFill, "masked_fill");
        put(this::compare, "eq", "ne", "lt", "le", "gt", "ge");
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
            return AtenOps.NOT_HANDLED;
        }
        String op = name.equals("mul") ? "Mul" : name.equals("div") ? "Div" : "Pow";
        return emit(op, site, attrs(), a.tensor("self"), a.tensor("other"));
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
}
