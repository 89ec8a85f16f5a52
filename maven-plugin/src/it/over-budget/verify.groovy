// The build failed on the one limit exceeded, with the check's one-line message naming PyTorch's figure and the
// excess, and the JUnit XML records that failure and the MACs limit met.
import groovy.json.JsonSlurper
import groovy.xml.XmlSlurper
import java.text.NumberFormat

def lenet5 = new JsonSlurper().parse(new File(fixtures, "lenet5.expected.json"))
def exact = { long n -> NumberFormat.getIntegerInstance(Locale.US).format(n) }
long params = lenet5.params as long
long limit = 61705
assert new File(basedir, "budgets.yaml").text.contains("{params: ${limit}, macs: ${lenet5.macs}}")

String log = new File(basedir, "build.log").text
assert log.contains("BUILD FAILURE")
String prefix = "models/lenet5.onnx: params ${exact(params)} "
String over = " is over the limit ${exact(limit)} by ${exact(params - limit)} (0.00%)."
def lines = log.readLines().findAll { it.startsWith("[ERROR] " + prefix) }
assert lines.size() == 1 : log
assert lines[0].endsWith(over) : lines[0]
// Maven's own failure line carries the same message.
assert log.readLines().any { it.startsWith("[ERROR] Failed to execute goal dev.tally:tally-maven-plugin:") && it.contains(prefix) && it.contains(over) }
assert log.contains("1 of 2 limits exceeded in 1 model. Exit code 1.")

def suites = new XmlSlurper().parse(new File(basedir, "target/surefire-reports/TEST-tally.xml"))
assert suites.@tests.text() == "2" && suites.@failures.text() == "1" && suites.@errors.text() == "0"
def failure = suites.testsuite.testcase.find { it.@name.text() == "params <= ${limit}" }.failure
assert failure.@type.text() == "BudgetExceeded"
assert failure.@message.text().startsWith(prefix) && failure.@message.text().endsWith(over)
assert suites.testsuite.testcase.find { it.@name.text() == "macs <= ${lenet5.macs}" }.children().size() == 0
return true
