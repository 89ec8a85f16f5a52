package dev.tally.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Adds one field to a rendered JSON object, so {@code summary --verify --format json} keeps the summary contract. */
final class JsonMerge {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonMerge() {
    }

    static String withField(String objectJson, String field, String valueJson) {
        try {
            ObjectNode object = (ObjectNode) MAPPER.readTree(objectJson);
            object.set(field, MAPPER.readTree(valueJson));
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(object) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Tally wrote JSON it cannot read back.", e);
        }
    }
}
