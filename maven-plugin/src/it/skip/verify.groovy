// skip=true: nothing is checked (the budget would fail, as over-budget shows), the build succeeds, no JUnit XML.
String log = new File(basedir, "build.log").text
assert log.contains("BUILD SUCCESS")
assert log.contains("[INFO] Tally check skipped.")
assert !log.contains("limits exceeded")
assert !new File(basedir, "target/surefire-reports/TEST-tally.xml").exists()
return true
