// The budget file's error is one sentence naming the file, line 5 and the key, in Maven's failure line; no report.
String log = new File(basedir, "build.log").text
assert log.contains("BUILD FAILURE")
def failed = log.readLines().findAll { it.startsWith("[ERROR] Failed to execute goal dev.tally:tally-maven-plugin:") }
assert failed.size() == 1 : log
assert failed[0].contains(": budgets.yaml line 5, key 'models[0].limits.macs': '0.8X' has an unknown unit") : failed[0]
assert !new File(basedir, "target/surefire-reports/TEST-tally.xml").exists()
return true
