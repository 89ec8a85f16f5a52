// failOnExceeded=false: the same exceeded limit as over-budget is a warning, the build succeeds, and the JUnit XML
// still records the failure for CI to show. The model and limit are given in the POM (<models>, <limits>).
import groovy.json.JsonSlurper
import groovy.xml.XmlSlurper
import java.text.NumberFormat

def lenet5 = new JsonSlurper().parse(new File(fixtures, "lenet5.expected.json"))
def exact = { long n -> NumberFormat.getIntegerInstance(Locale.US).format(n) }
long params = lenet5.params as long
String log = new File(basedir, "build.log").text
assert log.contains("BUILD SUCCESS")
String line = "[WARNING] models/lenet5.onnx: params ${exact(params)} "
def lines = log.readLines().findAll { it.startsWith(line) }
assert lines.size() == 1 : log
assert lines[0].endsWith(" is over the limit 61,705 by ${exact(params - 61705)} (0.00%).")
assert !log.readLines().any { it.startsWith("[ERROR]") }
def suites = new XmlSlurper().parse(new File(basedir, "target/surefire-reports/TEST-tally.xml"))
assert suites.@tests.text() == "1" && suites.@failures.text() == "1"
assert suites.testsuite.@name.text() == "models/lenet5.onnx"
return true
