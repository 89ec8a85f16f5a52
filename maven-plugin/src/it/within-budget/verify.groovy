// The check passed with every limit at exactly PyTorch's figure, wrote a valid JUnit XML where Surefire's reports
// go, and the summary goal wrote lenet5's markdown and HTML reports with PyTorch's parameter count.
import groovy.json.JsonSlurper
import groovy.xml.XmlSlurper
import java.text.NumberFormat
import javax.xml.XMLConstants
import javax.xml.transform.stream.StreamSource
import javax.xml.validation.SchemaFactory

def expected = { String model -> new JsonSlurper().parse(new File(fixtures, model + ".expected.json")) }
def exact = { long n -> NumberFormat.getIntegerInstance(Locale.US).format(n) }
def lenet5 = expected("lenet5")
def alexnet = expected("alexnet")

// The budget file's limits are PyTorch's figures, so passing means Tally's are not above them.
String budget = new File(basedir, "budgets.yaml").text
assert budget.contains("{params: ${lenet5.params}, macs: ${lenet5.macs}}")
assert budget.contains("{params: ${alexnet.params}, macs: ${alexnet.macs}, file-size: 1MiB}")

String log = new File(basedir, "build.log").text
assert log.contains("BUILD SUCCESS")
assert log.contains("0 of 5 limits exceeded in 2 models. Exit code 0.")

File junit = new File(basedir, "target/surefire-reports/TEST-tally.xml")
assert junit.isFile()
// Valid against the JUnit schema (Ant / Jenkins junit-10.xsd) that the main project's JUnit tests use.
SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(new File(junitSchema)).newValidator()
        .validate(new StreamSource(junit))
def suites = new XmlSlurper().parse(junit)
assert suites.name() == "testsuites"
assert suites.@tests.text() == "5" && suites.@failures.text() == "0" && suites.@errors.text() == "0"
assert suites.testsuite.size() == 2
assert suites.testsuite*.@name*.text() == ["models/lenet5.onnx", "models/alexnet.onnx"]
assert suites.testsuite[0].testcase*.@name*.text() == ["params <= ${lenet5.params}", "macs <= ${lenet5.macs}"]
assert suites.testsuite[1].testcase*.@name*.text() == ["params <= ${alexnet.params}", "macs <= ${alexnet.macs}", "file-size <= 1MiB"]
assert suites.'**'.findAll { it.name() == "failure" || it.name() == "error" }.isEmpty()

String markdown = new File(basedir, "target/tally/lenet5.onnx.md").text
assert markdown.contains(exact(lenet5.params as long))
String html = new File(basedir, "target/tally/lenet5.onnx.html").text
assert html.startsWith("<!DOCTYPE html>") || html.startsWith("<!doctype html>")
assert html.contains(exact(lenet5.params as long))
return true
