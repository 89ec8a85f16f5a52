package dev.tally.load.torchscript;

import dev.tally.ir.Model;
import dev.tally.ir.ModelException;
import java.nio.file.Path;

/** Reads TorchScript archives into the IR. (Being written: see issue 3.) */
public final class TorchScriptLoader {
    public Model load(Path path) {
        throw new ModelException(path.getFileName() + ": the TorchScript reader is not built yet.");
    }
}
