package dev.tally.load.torchscript;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tally.testing.FuzzInvariant;
import java.nio.charset.StandardCharsets;

/** Fuzzes the TorchScript code parser (tokenizer, indentation, expressions, the depth limit) on a code record's text. */
class CodeParserFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void code(byte[] bytes) {
        String source = new String(bytes, StandardCharsets.UTF_8);
        FuzzInvariant.holds(() -> CodeParser.parse("fuzz.pt", "code/__torch__/fuzz.py", source));
    }
}
