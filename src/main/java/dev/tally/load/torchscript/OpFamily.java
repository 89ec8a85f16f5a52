package dev.tally.load.torchscript;

import dev.tally.load.torchscript.Interpreter.Site;
import java.util.List;
import java.util.Map;

/** A family of aten ops kept in a class of its own; {@link AtenOps} asks each in turn for an op it does not map. */
interface OpFamily {
    /** The op's result, or {@link AtenOps#NOT_HANDLED} when {@code name} is not one of the family's ops. */
    Object call(String name, List<Object> args, Map<String, Object> keywords, Site site);
}
