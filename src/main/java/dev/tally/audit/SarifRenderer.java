package dev.tally.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.Tally;
import java.util.Locale;

/**
 * An audit's findings as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the JSON that code-scanning
 * dashboards (GitHub code scanning, GitLab, Azure DevOps) read: one run of the tool "tally", one rule per
 * severity, one result per {@link Finding}, located at the checkpoint file. The levels follow SARIF §3.27.10:
 * a dangerous global is an {@code error} (the file runs code when loaded), a suspicious one a {@code warning},
 * an allowed one a {@code note}. The output is validated against the published schema in a test.
 */
public final class SarifRenderer {
    static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SarifRenderer() {
    }

    public static String sarif(AuditReport report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("$schema", SCHEMA);
        root.put("version", "2.1.0");
        ObjectNode run = root.putArray("runs").addObject();
        ObjectNode driver = run.putObject("tool").putObject("driver");
        driver.put("name", "tally");
        driver.put("version", Tally.VERSION);
        ArrayNode rules = driver.putArray("rules");
        for (Severity severity : Severity.values()) {
            ObjectNode rule = rules.addObject();
            rule.put("id", ruleId(severity));
            rule.putObject("shortDescription").put("text", description(severity));
            rule.putObject("defaultConfiguration").put("level", level(severity));
        }
        String uri = report.path().toString().replace('\\', '/');
        ArrayNode results = run.putArray("results");
        for (Finding finding : report.findings()) {
            ObjectNode result = results.addObject();
            result.put("ruleId", ruleId(finding.severity()));
            result.put("ruleIndex", finding.severity().ordinal());
            result.put("level", level(finding.severity()));
            String place = finding.opcode().isEmpty() ? finding.where()
                    : finding.opcode() + (finding.where().isEmpty() ? "" : " at " + finding.where());
            result.putObject("message").put("text", report.fileName() + " references the pickle global '"
                    + finding.resolved() + "'" + (place.isEmpty() ? "" : " (" + place + ")") + ": " + finding.reason() + ".");
            result.putArray("locations").addObject().putObject("physicalLocation")
                    .putObject("artifactLocation").put("uri", uri);
            ObjectNode properties = result.putObject("properties");
            properties.put("global", finding.resolved());
            properties.put("label", finding.label());
            properties.put("opcode", finding.opcode());
            properties.put("where", finding.where());
        }
        return root.toPrettyString();
    }

    static String ruleId(Severity severity) {
        return "pickle-global-" + severity.name().toLowerCase(Locale.ROOT);
    }

    private static String level(Severity severity) {
        return switch (severity) {
            case DANGEROUS -> "error";
            case SUSPICIOUS -> "warning";
            case SAFE -> "note";
        };
    }

    private static String description(Severity severity) {
        return switch (severity) {
            case DANGEROUS -> "The checkpoint imports or calls a global outside the allow-list: torch.load would run it.";
            case SUSPICIOUS -> "The checkpoint references a global outside the state_dict allow-list; loading it imports and calls it.";
            case SAFE -> "The checkpoint references a global on the state_dict allow-list.";
        };
    }
}
