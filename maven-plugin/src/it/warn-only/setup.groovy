// Copies the shipped models (the repository's models/, made by PyTorch) into this project's models/, where its
// budget file names them, as a user's project keeps its exports.
import java.nio.file.*
Path into = basedir.toPath().resolve("models")
Files.createDirectories(into)
for (String name : ["lenet5.onnx", "alexnet.onnx"]) {
    Files.copy(Paths.get(shippedModels, name), into.resolve(name), StandardCopyOption.REPLACE_EXISTING)
}
return true
