package dev.tally.load.torchscript;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.ir.ModelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Python subset PyTorch's printer writes, in the forms seen in torchvision's serialized code. */
class CodeParserTest {

    private static List<Ast.Stmt> parse(String... lines) {
        return CodeParser.parse("m.pt", "code/__torch__/m.py", String.join("\n", lines) + "\n");
    }

    @Test
    void aClassWithParameterListsAnnotationsAndAMultiLineSignatureParses() {
        List<Ast.Stmt> file = parse(
                "class Conv2d(Module):",
                "  __parameters__ = [\"weight\", \"bias\", ]",
                "  bias : Optional[Tensor]",
                "  stride : Final[Tuple[int, int]] = (2, 2)",
                "  __annotations__[\"0\"] = __torch__.torch.nn.modules.conv.Conv2d",
                "  def forward(self: __torch__.m.Conv2d,",
                "    input: Tensor,",
                "    eps: float=1.0000000000000001e-05) -> Tensor:",
                "    return torch.conv2d(input, self.weight, self.bias, [2, 2], [3, 3], [1, 1])");

        Ast.ClassDef definition = (Ast.ClassDef) file.get(0);
        assertThat(definition.name()).isEqualTo("Conv2d");
        assertThat(definition.body()).hasSize(5);
        Ast.FunctionDef forward = (Ast.FunctionDef) definition.body().get(4);
        assertThat(forward.parameters()).extracting(Ast.Parameter::name).containsExactly("self", "input", "eps");
        assertThat(forward.parameters().get(2).defaultValue()).isEqualTo(new Ast.Const(1.0000000000000001e-05));
        assertThat(forward.line()).isEqualTo(6);
    }

    @Test
    void tupleTargetsWithATrailingCommaAnnotatedAssignmentsElifAndWhileParse() {
        List<Ast.Stmt> body = parse(
                "x1, aux1, aux2, = (self)._forward(x0, )",
                "aux1 : Optional[Tensor] = (aux10).forward(x10, )",
                "if torch.eq(a, 1):",
                "  pass",
                "elif torch.__not__(b):",
                "  _1 = -1",
                "else:",
                "  _1 = \"a\" \"b\"",
                "while _17:",
                "  _17, _14 = False, True");

        assertThat(((Ast.Assign) body.get(0)).targets()).hasSize(3);
        assertThat(((Ast.Assign) body.get(1)).annotation()).isNotNull();
        Ast.If branch = (Ast.If) body.get(2);
        assertThat(branch.otherwise()).singleElement().isInstanceOf(Ast.If.class);
        Ast.If elif = (Ast.If) branch.otherwise().get(0);
        assertThat(((Ast.Assign) elif.otherwise().get(0)).value()).isEqualTo(new Ast.Const("ab"));
        assertThat(body.get(3)).isInstanceOf(Ast.While.class);
    }

    @Test
    void aConstructOutsideTheSubsetIsNamedWithItsLine() {
        assertThatThrownBy(() -> parse("def f(x: Tensor) -> Tensor:", "  with torch.no_grad():", "    pass"))
                .isInstanceOf(ModelException.class)
                .hasMessage("m.pt: code/__torch__/m.py:2: cannot interpret 'with'.");
        assertThatThrownBy(() -> parse("def f(x: Tensor) -> Tensor:", "  return x[1:]"))
                .isInstanceOf(ModelException.class)
                .hasMessage("m.pt: code/__torch__/m.py:2: cannot interpret a slice.");
    }

    @Test
    void aLongTokenIsQuotedByItsFirstSixtyCharactersNotWhole() {
        // The code fuzzer's case: a string of 2,000 characters where a name should be was quoted whole.
        String text = "x".repeat(2_000);
        assertThatThrownBy(() -> parse("def f(x: Tensor) -> Tensor:", "  y = c \"" + text + "\""))
                .isInstanceOf(ModelException.class)
                .hasMessage("m.pt: code/__torch__/m.py:2: cannot interpret '" + "x".repeat(60) + "...' where the end of the line should be.");
        assertThatThrownBy(() -> parse("def f(x: Tensor) -> Tensor:", "  return 1" + "2".repeat(2_000) + "e"))
                .isInstanceOf(ModelException.class)
                .hasMessage("m.pt: code/__torch__/m.py:2: cannot interpret the number '1" + "2".repeat(59) + "...'.");
    }

    @Test
    void nestingDeeperThanTheLimitIsOneSentenceNotAStackOverflow() {
        String deep = "(".repeat(100_000) + "x" + ")".repeat(100_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CodeParser.parse("m.pt", "code/__torch__/m.py", "def f(x):\n  return " + deep + "\n"))
                .isInstanceOf(dev.tally.ir.ModelException.class)
                .hasMessageContaining("deeper than 200 levels");
        String minus = "-".repeat(100_000) + "x";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CodeParser.parse("m.pt", "code/__torch__/m.py", "def f(x):\n  return " + minus + "\n"))
                .isInstanceOf(dev.tally.ir.ModelException.class);
    }
}
