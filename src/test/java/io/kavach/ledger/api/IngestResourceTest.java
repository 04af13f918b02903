package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IngestResourceTest {

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);

    /** Two events exactly as the AgentKavach SDK's exporter builds them (extra fields included). */
    private static final String SDK_BATCH = """
            {"events": [
              {"agent_name": "research-bot", "provider": "openai", "model": "gpt-4o", "input_tokens": 1520,
               "output_tokens": 310, "cost": 0.30000000000000004, "duration_ms": 1834.0,
               "timestamp": "2026-11-28T09:59:58.123456+00:00", "idempotency_key": "evt-0001",
               "run_id": "run-42", "prompt": "Analyze this dataset", "status": null, "sdk_version": "0.9.1"},
              {"agent_name": "support-agent", "provider": "anthropic", "model": "claude-sonnet-4-20250514",
               "input_tokens": 800, "output_tokens": 1024, "cost": 0.0174, "duration_ms": 2210,
               "timestamp": "2026-11-28T09:59:59.5", "idempotency_key": "evt-0002", "status": "error"}
            ]}
            """;

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void gzippedSdkBatchIsBookedIntoEveryApplicableBudget() throws IOException {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.pool(org, "engineering-pool", "daily", "500", "research-bot", "support-agent");
        Fixtures.orgBudget(org, "monthly", "1000");
        Fixtures.agentBudget(org, "research-bot", "daily", "25");
        ingestGzip(SDK_BATCH).statusCode(202)
                .body("accepted", equalTo(2)).body("duplicates", equalTo(0)).body("rejected", hasSize(0));
        assertEquals(0, new BigDecimal("0.3174").compareTo(spent("shared", "engineering-pool")));
        assertEquals(0, new BigDecimal("0.3174").compareTo(spent("org", null)));
        assertEquals(0, new BigDecimal("0.3").compareTo(spent("agent", "research-bot")));
        assertEquals(2, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        assertEquals(1834, Fixtures.queryLong(
                "SELECT duration_ms FROM spend_event WHERE org_id = ? AND idempotency_key = 'evt-0001'", org));
        noDrift();
    }

    @Test
    void redeliveredBatchIsCountedOnce() throws IOException {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.pool(org, "engineering-pool", "daily", "500", "research-bot", "support-agent");
        ingestGzip(SDK_BATCH).statusCode(202).body("accepted", equalTo(2));
        ingestGzip(SDK_BATCH).statusCode(202).body("accepted", equalTo(0)).body("duplicates", equalTo(2));
        ingest(SDK_BATCH).statusCode(202).body("duplicates", equalTo(2));
        assertEquals(0, new BigDecimal("0.3174").compareTo(spent("shared", "engineering-pool")));
        // The same key twice inside one batch counts once too.
        ingest("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"idempotency_key\":\"k\"},"
                + "{\"agent_name\":\"a\",\"cost\":1,\"idempotency_key\":\"k\"}]}")
                .statusCode(202).body("accepted", equalTo(1)).body("duplicates", equalTo(1));
        noDrift();
    }

    @Test
    void validEventsAreBookedWhenBatchMatesAreInvalid() {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.agentBudget(org, "bot", "daily", "100");
        ingest("""
                {"events": [
                  {"agent_name": "bot", "cost": 1.5, "idempotency_key": "ok-1"},
                  {"agent_name": "bot", "cost": -1, "idempotency_key": "bad-1"},
                  {"agent_name": "bad\\u0007name", "cost": "x"},
                  {"agent_name": "bot", "cost": 1, "timestamp": "2026-11-28T10:06:00Z"},
                  {"agent_name": "bot", "cost": 2, "timestamp": "2026-11-28T10:04:00Z", "idempotency_key": "ok-2"}
                ]}
                """)
                .statusCode(202)
                .body("accepted", equalTo(2))
                .body("rejected.index", contains(1, 2, 3))
                .body("rejected[0].errors.field", contains("cost"))
                .body("rejected[1].errors.field", contains("agent_name", "cost"))
                .body("rejected[2].errors[0].message", equalTo("is more than 5 minutes in the future"));
        assertEquals(0, new BigDecimal("3.5").compareTo(spent("agent", "bot")));
    }

    @Test
    void eventsAreBookedIntoTheWindowOfTheirTimestamp() {
        MutableClock.get().pin(Instant.parse("2026-12-01T00:00:30Z"));
        Fixtures.agentBudget(org, "bot", "daily", "100");
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":4,\"timestamp\":\"2026-11-30T23:59:59.9999999Z\"},"
                + "{\"agent_name\":\"bot\",\"cost\":1,\"timestamp\":\"2026-12-01T00:00:01Z\"}]}")
                .statusCode(202).body("accepted", equalTo(2));
        assertEquals(0, new BigDecimal("4").compareTo(Fixtures.queryDecimal(
                "SELECT w.spent FROM budget_window w JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? "
                        + "AND w.window_start = '2026-11-30T00:00:00Z'", org)));
        assertEquals(0, new BigDecimal("1").compareTo(spent("agent", "bot")));
        // Nanoseconds beyond PostgreSQL's microseconds never move an event into the next day.
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ? "
                + "AND occurred_at < '2026-12-01T00:00:00Z' AND cost = 4", org));
        noDrift();
    }

    @Test
    void exhaustedBudgetsAnswer429AfterRecordingWithOrgFirst() {
        MutableClock.get().pin(Instant.parse("2026-11-28T23:00:00Z"));
        Fixtures.agentBudget(org, "bot", "daily", "1");
        Fixtures.orgBudget(org, "daily", "2");
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1.25,\"idempotency_key\":\"e1\"}]}")
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "3600")
                .body("reason", equalTo("agent_budget_exceeded"))
                .body("recorded", equalTo(1))
                .body("exhausted[0].key", equalTo("agent:bot:daily"))
                .body("exhausted[0].remaining", equalTo(-0.25f));
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1,\"idempotency_key\":\"e2\"}]}")
                .statusCode(429)
                .body("reason", equalTo("org_budget_exceeded"))
                .body("reasons", contains("org_budget_exceeded", "agent_budget_exceeded"))
                .body("recorded", equalTo(1))
                .body("duplicates", equalTo(0))
                .body("retry_after_seconds", equalTo(3600));
        // A total budget has no window end: no Retry-After.
        String org2 = Tokens.newOrg();
        String key2 = Fixtures.apiKey(org2);
        Fixtures.orgBudget(org2, "total", "1");
        given().auth().oauth2(key2).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"x\",\"cost\":1}]}").post("/v1/ingest")
                .then().statusCode(429).header("Retry-After", nullValue()).body("retry_after_seconds", nullValue());
        assertEquals(0, new BigDecimal("2.25").compareTo(spent("agent", "bot")));
        noDrift();
    }

    @Test
    void zipBombIs413AndNothingIsBooked() throws IOException {
        Fixtures.agentBudget(org, "bot", "daily", "100");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            // In a field the ledger does not read (the SDK's prompt), so only the inflated-size bound stops it.
            gzip.write("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1,\"prompt\":\"".getBytes(StandardCharsets.UTF_8));
            byte[] zeros = new byte[1024 * 1024];
            java.util.Arrays.fill(zeros, (byte) 'a');
            for (int i = 0; i < 12; i++) {
                gzip.write(zeros);
            }
            gzip.write("\"}]}".getBytes(StandardCharsets.UTF_8));
        }
        given().auth().oauth2(key).contentType("application/json").header("Content-Encoding", "gzip")
                .body(bytes.toByteArray()).post("/v1/ingest")
                .then().statusCode(413).contentType("application/problem+json").body("reason", equalTo("body_too_large"));
        given().auth().oauth2(key).contentType("application/json").header("Content-Encoding", "gzip")
                .body("not gzip at all").post("/v1/ingest")
                .then().statusCode(400).body("reason", equalTo("malformed_gzip"));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
    }

    @Test
    void malformedEnvelopesAreClear4xx() {
        ingest("{\"events\": [").statusCode(400).body("reason", equalTo("malformed_json"));
        ingest("{\"evts\": []}").statusCode(422).body("errors[0].field", equalTo("events"));
        ingest("{\"events\": []}").statusCode(422);
        ingest("{\"events\": [{\"cost\": 1}]}").statusCode(422)
                .body("errors[0].field", equalTo("events[0].agent_name")).body("rejected", hasSize(1));
        StringBuilder many = new StringBuilder("{\"events\":[");
        for (int i = 0; i < 5001; i++) {
            many.append(i == 0 ? "" : ",").append("{\"agent_name\":\"a\",\"cost\":0}");
        }
        ingest(many.append("]}").toString()).statusCode(413).body("reason", equalTo("too_many_events"));
        given().auth().oauth2(Tokens.admin(org)).contentType("application/json").body(SDK_BATCH).post("/v1/ingest")
                .then().statusCode(403);
        given().contentType("application/json").body(SDK_BATCH).post("/v1/ingest").then().statusCode(401);
    }

    private ValidatableResponse ingest(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/ingest").then();
    }

    private ValidatableResponse ingestGzip(String body) throws IOException {
        return given().auth().oauth2(key).contentType("application/json").header("Content-Encoding", "gzip")
                .body(Fixtures.gzip(body)).post("/v1/ingest").then();
    }

    private BigDecimal spent(String scope, String name) {
        return Fixtures.spentAt(org, scope, name, MutableClock.get().instant());
    }

    private void noDrift() {
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }
}
