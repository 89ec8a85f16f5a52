package dev.tally.budget;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * {@code check --junit report.xml}: the report as JUnit XML in the common (Ant / Jenkins {@code junit-10.xsd})
 * layout, so CI systems show each limit as a test: one {@code <testsuite>} per model, one {@code <testcase>}
 * per limit with a {@code <failure>} when it is exceeded, and a {@code <testcase name="analysis">} with an
 * {@code <error>} when the model could not be analysed. Built with the JDK's DOM, so escaping is never ours.
 */
public final class JUnitXml {
    private JUnitXml() {
    }

    public static String render(CheckReport report, LocalDateTime timestamp) {
        Document doc;
        try {
            doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("The JDK's XML builder is not available.", e);
        }
        String stamp = timestamp.truncatedTo(ChronoUnit.SECONDS).toString();
        Element suites = doc.createElement("testsuites");
        suites.setAttribute("name", "tally check");
        suites.setAttribute("tests", Long.toString(report.checks() + errorCases(report)));
        suites.setAttribute("failures", Long.toString(report.failures()));
        suites.setAttribute("errors", Long.toString(report.errors()));
        suites.setAttribute("time", "0");
        doc.appendChild(suites);
        int id = 0;
        for (ModelCheck model : report.models()) {
            Element suite = doc.createElement("testsuite");
            int tests = model.results().size() + (model.error().isPresent() ? 1 : 0);
            long errors = model.count(CheckResult.Status.ERROR) + (model.error().isPresent() ? 1 : 0);
            suite.setAttribute("name", model.model());
            suite.setAttribute("tests", Integer.toString(tests));
            suite.setAttribute("failures", Long.toString(model.count(CheckResult.Status.FAIL)));
            suite.setAttribute("errors", Long.toString(errors));
            suite.setAttribute("skipped", "0");
            suite.setAttribute("time", "0");
            suite.setAttribute("timestamp", stamp);
            suite.setAttribute("hostname", "localhost");
            suite.setAttribute("id", Integer.toString(id++));
            suite.setAttribute("package", "tally.check");
            suite.appendChild(doc.createElement("properties"));
            if (model.error().isPresent()) {
                Element testcase = testcase(doc, model.model(), "analysis");
                Element error = doc.createElement("error");
                error.setAttribute("message", model.error().get());
                error.setAttribute("type", "BadInput");
                error.setTextContent(model.error().get());
                testcase.appendChild(error);
                suite.appendChild(testcase);
            }
            for (CheckResult result : model.results()) {
                Element testcase = testcase(doc, model.model(), result.name());
                if (result.status() != CheckResult.Status.PASS) {
                    boolean fail = result.status() == CheckResult.Status.FAIL;
                    Element problem = doc.createElement(fail ? "failure" : "error");
                    problem.setAttribute("message", result.message());
                    problem.setAttribute("type", fail ? "BudgetExceeded" : "LowerBound");
                    problem.setTextContent(result.message());
                    testcase.appendChild(problem);
                }
                suite.appendChild(testcase);
            }
            suite.appendChild(doc.createElement("system-out"));
            suite.appendChild(doc.createElement("system-err"));
            suites.appendChild(suite);
        }
        try {
            Transformer transformer = TransformerFactory.newInstance().newTransformer();
            transformer.setOutputProperty(OutputKeys.INDENT, "yes");
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(doc), new StreamResult(out));
            return out.toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("A DOM tree could not be written as XML.", e);
        }
    }

    /** Writes the report to {@code file}; an unwritable file is a {@link dev.tally.ir.UsageException}. */
    public static void write(CheckReport report, Path file) {
        try {
            java.nio.file.Files.writeString(file, render(report, LocalDateTime.now()), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new dev.tally.ir.UsageException("Cannot write the JUnit report to " + file + "; check that its folder exists and is writable.");
        }
    }

    private static long errorCases(CheckReport report) {
        return report.models().stream().filter(m -> m.error().isPresent()).count();
    }

    private static Element testcase(Document doc, String model, String name) {
        Element testcase = doc.createElement("testcase");
        testcase.setAttribute("name", name);
        testcase.setAttribute("classname", "tally.check." + model.replace('/', '.'));
        testcase.setAttribute("time", "0");
        return testcase;
    }
}
