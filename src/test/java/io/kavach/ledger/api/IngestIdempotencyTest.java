package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.service.LedgerProcessor;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idempotency key names one event: the same key with the same agent, cost and timestamp is a
 * redelivery (counted once), with another agent, cost or timestamp it is not — that event is
 * listed in {@code rejected} with {@code idempotency_key_reused}, never silently dropped. Exact
 * under concurrency.
 */
@QuarkusTest
class IngestIdempotencyTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @TestHTTPResource("/")
    URI base;

    @Inject
    LedgerProcessor processor;

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    /**
     * The ledger keeps microseconds, as PostgreSQL does. An event timed to the nanosecond (as
     * {@code Instant.now()} is on Linux), with nanoseconds the database would round up, is the same
     * event when it is delivered again: a duplicate, not a reused key.
     */
    @Test
    void anEventTimedToTheNanosecondIsTheSameEventWhenDeliveredAgain() {
        LedgerCommand.Ingest ingest = new LedgerCommand.Ingest(org, List.of(new LedgerCommand.SpendEvent("bot",
                Money.of("1"), Instant.now().with(java.time.temporal.ChronoField.NANO_OF_SECOND, 123_456_789),
                "nanos", null, null, null, null, null, null, null)));
        assertEquals(1, ((LedgerOutcome.Ingested) processor.process(List.of(ingest)).get(0)).accepted());
        LedgerOutcome.Ingested again = (LedgerOutcome.Ingested) processor.process(List.of(ingest)).get(0);
        assertEquals(0, again.accepted());
        assertEquals(1, again.duplicates());
        assertEquals(List.of(), again.keyReused());
    }

    @Test
    void theSameKeyWithAnotherAgentCostOrTimestampIsRejectedAsReusedAndNotBooked() {
        MutableClock.get().pin(NOW);
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1,\"timestamp\":\"2026-11-28T09:00:00Z\",\"idempotency_key\":\"k-1\"}]}")
                .statusCode(202).body("accepted", equalTo(1));
        ingest("""
                {"events": [
                  {"agent_name": "bot", "cost": 1.0, "timestamp": "2026-11-28T09:00:00+00:00", "idempotency_key": "k-1"},
                  {"agent_name": "bot", "cost": 2, "timestamp": "2026-11-28T09:00:00Z", "idempotency_key": "k-1"},
                  {"agent_name": "other-bot", "cost": 1, "timestamp": "2026-11-28T09:00:00Z", "idempotency_key": "k-1"},
                  {"agent_name": "bot", "cost": 1, "timestamp": "2026-11-28T09:00:01Z", "idempotency_key": "k-1"},
                  {"agent_name": "bot", "cost": -1, "idempotency_key": "k-2"},
                  {"agent_name": "bot", "cost": 0.5, "idempotency_key": "k-3"}
                ]}
                """)
                .statusCode(202)
                .body("accepted", equalTo(1))
                .body("duplicates", equalTo(1))
                .body("rejected.index", contains(1, 2, 3, 4))
                .body("rejected.reason", contains("idempotency_key_reused", "idempotency_key_reused", "idempotency_key_reused", null))
                .body("rejected[0].errors[0].field", equalTo("idempotency_key"))
                .body("rejected[3].errors[0].field", equalTo("cost"));
        assertEquals(0, new BigDecimal("1.5").compareTo(Fixtures.queryDecimal(
                "SELECT sum(cost) FROM spend_event WHERE org_id = ?", org)));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ? AND name = 'other-bot' "
                + "AND id IN (SELECT agent_id FROM spend_event)", org));
    }

    @Test
    void withinOneBatchTheFirstEventOfAKeyIsBookedAndAnotherPayloadIsRejected() {
        MutableClock.get().pin(NOW);
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1,\"idempotency_key\":\"k\"},"
                + "{\"agent_name\":\"bot\",\"cost\":1,\"idempotency_key\":\"k\"},"
                + "{\"agent_name\":\"bot\",\"cost\":3,\"idempotency_key\":\"k\"}]}")
                .statusCode(202).body("accepted", equalTo(1)).body("duplicates", equalTo(1))
                .body("rejected.index", contains(2)).body("rejected[0].reason", equalTo("idempotency_key_reused"));
    }

    @Test
    void anEventSentWithoutTimestampIsTheSameEventWhenResentLater() {
        MutableClock.get().pin(NOW);
        String event = "{\"events\":[{\"agent_name\":\"bot\",\"cost\":0.02,\"idempotency_key\":\"evt-1\"}]}";
        ingest(event).statusCode(202).body("accepted", equalTo(1));
        MutableClock.get().advance(Duration.ofMinutes(3));
        ingest(event).statusCode(202).body("accepted", equalTo(0)).body("duplicates", equalTo(1)).body("rejected", empty());
        // A resend that now names a time other than the one recorded is another event.
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":0.02,\"idempotency_key\":\"evt-1\",\"timestamp\":\"2026-11-28T08:00:00Z\"}]}")
                .statusCode(202).body("rejected[0].reason", equalTo("idempotency_key_reused"));
    }

    @Test
    void aReusedKeyIsListedInTheExhaustedAnswerToo() {
        MutableClock.get().pin(NOW);
        Fixtures.agentBudget(org, "bot", "daily", "1");
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":1,\"idempotency_key\":\"k\"}]}").statusCode(429);
        ingest("{\"events\":[{\"agent_name\":\"bot\",\"cost\":5,\"idempotency_key\":\"k\"}]}").statusCode(429)
                .body("recorded", equalTo(0)).body("duplicates", equalTo(0))
                .body("rejected[0].reason", equalTo("idempotency_key_reused"));
        assertEquals(0, BigDecimal.ONE.compareTo(Fixtures.spentAt(org, "agent", "bot", NOW)));
    }

    /**
     * 24 threads send, behind a barrier, 40 events under the same 40 keys: half the threads one
     * payload (cost 0.01), half another (cost 0.02). Each key is booked exactly once, with the
     * payload of the winner; every copy of the winner is a duplicate and every copy of the loser is
     * rejected as reused — whether the racing requests meet in one ledger transaction or wait on
     * each other's insert.
     */
    @Test
    void racingBatchesWithTheSameKeysButDifferentPayloadsBookEachKeyOnceAndRejectTheOther() throws Exception {
        int threads = 24;
        int keys = 40;
        HttpClient http = HttpClient.newHttpClient();
        CyclicBarrier barrier = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<JsonPath>> answers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String cost = t % 2 == 0 ? "0.01" : "0.02";
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int k = 0; k < keys; k++) {
                body.append(k == 0 ? "" : ",").append("{\"agent_name\":\"racer\",\"cost\":").append(cost)
                        .append(",\"timestamp\":\"2026-11-28T09:00:00Z\",\"idempotency_key\":\"race-").append(k).append("\"}");
            }
            String json = body.append("]}").toString();
            answers.add(pool.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/ingest"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, response.statusCode(), response.body());
                return JsonPath.from(response.body());
            }));
        }
        int[] acceptedByCost = new int[2];
        int[] duplicatesByCost = new int[2];
        int[] reusedByCost = new int[2];
        for (int t = 0; t < threads; t++) {
            JsonPath answer = answers.get(t).get(60, TimeUnit.SECONDS);
            int accepted = answer.getInt("accepted");
            int duplicates = answer.getInt("duplicates");
            List<String> reasons = answer.getList("rejected.reason");
            assertTrue(reasons.stream().allMatch("idempotency_key_reused"::equals), reasons.toString());
            assertEquals(keys, accepted + duplicates + reasons.size(), "every event is accounted for");
            acceptedByCost[t % 2] += accepted;
            duplicatesByCost[t % 2] += duplicates;
            reusedByCost[t % 2] += reasons.size();
        }
        pool.shutdown();

        assertEquals(keys, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        long cheapWins = Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ? AND cost = 0.01", org);
        long dearWins = keys - cheapWins;
        assertEquals(keys, acceptedByCost[0] + acceptedByCost[1]);
        assertEquals(cheapWins, acceptedByCost[0]);
        assertEquals(dearWins, acceptedByCost[1]);
        int half = threads / 2;
        // A key won by one payload: the winner's other copies are duplicates, the loser's all rejected.
        assertEquals(cheapWins * (half - 1) + dearWins * half, duplicatesByCost[0] + reusedByCost[0]);
        assertEquals(dearWins * half, reusedByCost[0]);
        assertEquals(cheapWins * half, reusedByCost[1]);
        assertEquals(cheapWins * (half - 1), duplicatesByCost[0]);
        assertEquals(dearWins * (half - 1), duplicatesByCost[1]);
        BigDecimal booked = new BigDecimal("0.01").multiply(BigDecimal.valueOf(cheapWins))
                .add(new BigDecimal("0.02").multiply(BigDecimal.valueOf(dearWins)));
        assertEquals(0, booked.compareTo(Fixtures.queryDecimal("SELECT sum(cost) FROM spend_event WHERE org_id = ?", org)));
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    private ValidatableResponse ingest(String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).when().post("/v1/ingest").then();
    }
}
