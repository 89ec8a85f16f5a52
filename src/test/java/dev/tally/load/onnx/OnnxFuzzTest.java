package dev.tally.load.onnx;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.Tally;
import dev.tally.testing.FuzzInvariant;

/**
 * Fuzzes the ONNX reader and the analysis behind {@code tally summary}: protobuf parsing, graph checks, shape
 * propagation, costs and memory. Seeds in {@code OnnxFuzzTestInputs/onnxFile/}: small structure-only models and the
 * hostile shape-value files; crashes found are saved there as regression inputs.
 */
class OnnxFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void onnxFile(byte[] bytes) {
        FuzzInvariant.holdsForFile(bytes, ".onnx", Tally::analyze);
    }
}
