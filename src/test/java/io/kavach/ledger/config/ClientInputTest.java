package io.kavach.ledger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.NumberText;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one reading path of client documents: bounded numbers, depth, duplicates, clean kept text. */
class ClientInputTest {

    @Test
    void aNumberOutsideTheBoundIsAMarkerNeverAValue() throws IOException {
        JsonNode tree = read("{\"amount\":1e-100000000,\"cost\":1e900000000,\"n\":NaN,\"i\":-Infinity,"
                + "\"big\":1" + "0".repeat(400) + ",\"ok\":0.30000000000000004,\"int\":42,\"long\":9223372036854775807}");
        assertEquals(Optional.of(NumberText.RULE), ClientInput.refusedNumber(tree.get("amount")));
        assertEquals(Optional.of(NumberText.RULE), ClientInput.refusedNumber(tree.get("cost")));
        assertEquals(Optional.of(NumberText.FINITE_RULE), ClientInput.refusedNumber(tree.get("n")));
        assertEquals(Optional.of(NumberText.FINITE_RULE), ClientInput.refusedNumber(tree.get("i")));
        assertEquals(Optional.of(NumberText.RULE), ClientInput.refusedNumber(tree.get("big")));
        assertEquals(0, new BigDecimal("0.30000000000000004").compareTo(tree.get("ok").decimalValue()));
        assertTrue(tree.get("int").isInt());
        assertTrue(tree.get("long").isLong());
        assertEquals(Optional.empty(), ClientInput.refusedNumber(tree.get("ok")));
    }

    @Test
    void depthDuplicatesAndLongStringsStopTheParse() {
        assertThrows(StreamConstraintsException.class, () -> read("[".repeat(ClientInput.NESTING_DEPTH_MAX + 1)
                + "]".repeat(ClientInput.NESTING_DEPTH_MAX + 1)));
        assertThrows(JsonParseException.class, () -> read("{\"amount\":1,\"amount\":1000000}"));
        assertThrows(StreamConstraintsException.class,
                () -> read("{\"s\":\"" + "a".repeat(ClientInput.STRING_LENGTH_MAX + 1) + "\"}"));
        assertThrows(JsonParseException.class, () -> read("{\"a\":"));
    }

    @Test
    void keptDocumentsReportEveryUncleanStringAndRefusedNumberAtItsPath() throws IOException {
        JsonNode tree = read("{\"alerts\":[{\"channel\":\"web\\u0000hook\",\"threshold\":1e-99999},"
                + "{\"target\":\"https://x\",\"note\":\"\\u202egnp.exe\"}],\"fine\":{\"a\":[1,\"b\"]},\"bad\\u0007key\":1}");
        List<FieldError> problems = ClientInput.documentProblems(tree, "");
        assertEquals(List.of("alerts[0].channel", "alerts[0].threshold", "alerts[1].note", "(body)"),
                problems.stream().map(FieldError::field).toList(), problems.toString());
    }

    @Test
    void yamlScalarsGoThroughTheSameBound() {
        DomainError problem = assertThrows(DomainError.InvalidInput.class, () -> ConfigYaml.parseYaml(
                "org_budget: {limit: 1.5e-100000000, period: daily}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("validation_failed", problem.reason());
        assertEquals(List.of(new FieldError("org_budget.limit", NumberText.RULE)), problem.members().get("errors"));
    }

    private static JsonNode read(String json) throws IOException {
        try (JsonParser parser = ClientInput.jsonParser(json.getBytes(StandardCharsets.UTF_8))) {
            return ClientInput.readTree(parser);
        }
    }
}
