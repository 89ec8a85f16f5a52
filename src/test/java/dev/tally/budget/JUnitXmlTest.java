package dev.tally.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tally.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

class JUnitXmlTest {
    private static final Path SCHEMA = Fixtures.root().resolve("src/test/resources/golden/check/junit-10.xsd");

    /** alexnet: one limit passes, one fails; mystery: one lower-bound error; broken: could not be read. */
    private static CheckReport report() {
        ModelBudget alexnet = new ModelBudget(Path.of("alexnet.onnx"), "models/alexnet.onnx", List.of(),
                List.of(Limit.parse(Figure.PARAMS, "62M"), Limit.parse(Figure.MACS, "700M")), List.of(), Optional.empty());
        ModelBudget mystery = new ModelBudget(Path.of("mystery.onnx"), "mystery.onnx", List.of(),
                List.of(Limit.parse(Figure.MACS, "1G")), List.of(), Optional.empty());
        return new CheckReport(List.of(
                BudgetChecker.evaluate(alexnet, Summaries.of("alexnet.onnx", 61_100_840, 0, 244_403_360, 714_188_480, 0, 0), 0),
                BudgetChecker.evaluate(mystery, Summaries.incomplete("mystery.onnx", 10, 100), 0),
                ModelCheck.failed("broken.onnx", "broken.onnx is truncated: the file ends inside node 'x' <&>.")));
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static void validate(String xml) throws SAXException, java.io.IOException {
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(SCHEMA.toFile()).newValidator()
                .validate(new StreamSource(new StringReader(xml)));
    }

    @Test
    void theReportValidatesAgainstTheJUnitSchemaCiSystemsRead() throws Exception {
        validate(JUnitXml.render(report(), LocalDateTime.of(2026, 11, 22, 3, 0)));
    }

    @Test
    void theSchemaCheckCanFail() {
        assertThatThrownBy(() -> validate("<testsuites><testsuite name=\"x\"><testcase/></testsuite></testsuites>"))
                .isInstanceOf(SAXException.class);
    }

    @Test
    void eachModelIsASuiteAndEachLimitATestCaseWithCountsThatMatchTheirChildren() throws Exception {
        Document doc = parse(JUnitXml.render(report(), LocalDateTime.of(2026, 11, 22, 3, 0)));
        Element root = doc.getDocumentElement();
        assertThat(root.getTagName()).isEqualTo("testsuites");
        assertThat(root.getAttribute("tests")).isEqualTo("4");
        assertThat(root.getAttribute("failures")).isEqualTo("1");
        assertThat(root.getAttribute("errors")).isEqualTo("2");
        NodeList suites = root.getElementsByTagName("testsuite");
        assertThat(suites.getLength()).isEqualTo(3);
        int total = 0;
        for (int i = 0; i < suites.getLength(); i++) {
            Element suite = (Element) suites.item(i);
            int cases = suite.getElementsByTagName("testcase").getLength();
            total += cases;
            assertThat(suite.getAttribute("tests")).isEqualTo(Integer.toString(cases));
            assertThat(suite.getAttribute("failures"))
                    .isEqualTo(Integer.toString(suite.getElementsByTagName("failure").getLength()));
            assertThat(suite.getAttribute("errors")).isEqualTo(Integer.toString(suite.getElementsByTagName("error").getLength()));
            assertThat(suite.getAttribute("timestamp")).isEqualTo("2026-11-22T03:00");
        }
        assertThat(total).isEqualTo(4);

        Element alexnet = (Element) suites.item(0);
        assertThat(alexnet.getAttribute("name")).isEqualTo("models/alexnet.onnx");
        NodeList cases = alexnet.getElementsByTagName("testcase");
        Element params = (Element) cases.item(0);
        assertThat(params.getAttribute("name")).isEqualTo("params <= 62M");
        assertThat(params.getAttribute("classname")).isEqualTo("tally.check.models.alexnet.onnx");
        assertThat(params.getChildNodes().getLength()).isZero();
        Element failure = (Element) ((Element) cases.item(1)).getElementsByTagName("failure").item(0);
        assertThat(failure.getAttribute("type")).isEqualTo("BudgetExceeded");
        assertThat(failure.getAttribute("message")).isEqualTo("models/alexnet.onnx: macs 714,188,480 (714.2 M) is over the limit "
                + "700M (700,000,000) by 14,188,480 (2.03%).");

        Element broken = (Element) suites.item(2);
        Element error = (Element) broken.getElementsByTagName("error").item(0);
        assertThat(((Element) error.getParentNode()).getAttribute("name")).isEqualTo("analysis");
        // Markup characters in messages survive the round trip: the DOM escapes them.
        assertThat(error.getAttribute("message")).isEqualTo("broken.onnx is truncated: the file ends inside node 'x' <&>.");
    }
}
