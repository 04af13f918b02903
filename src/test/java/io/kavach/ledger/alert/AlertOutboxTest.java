package io.kavach.ledger.alert;

import io.kavach.ledger.store.AlertStore;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.store.AlertStore.Crossing;
import io.kavach.ledger.store.RoundTrip;
import io.kavach.ledger.store.RoundTrips;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The outbox itself: once per (rule, window) under concurrent transactions, dead after retry-for, metrics. */
@QuarkusTest
class AlertOutboxTest {

    @Inject
    AlertStore store;
    @Inject
    RoundTrips roundTrips;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Test
    void concurrentTransactionsFiringTheSameRuleAndWindowInsertOneAlert() throws Exception {
        Fixtures.agentBudget(org, "racer", "daily", "10");
        String key = Fixtures.apiKey(org);
        String ruleId = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:racer:daily\",\"threshold_pct\":0.99,\"channel\":\"kill\"}")
                .post("/v1/alerts").then().statusCode(201).extract().path("id");
        // A window to fire in (spend under the threshold, so the ledger itself fires nothing).
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"racer\",\"cost\":1,\"idempotency_key\":\"w\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        long windowId = Fixtures.queryLong("SELECT w.id FROM budget_window w JOIN budget b ON b.id = w.budget_id"
                + " WHERE b.org_id = ? AND b.scope = 'agent'", org);
        UUID budgetId = UUID.fromString(Fixtures.queryRows("SELECT id::text AS id FROM budget WHERE org_id = ?", org)
                .get(0).get("id").toString());
        Crossing crossing = new Crossing(UUID.fromString(ruleId), windowId, budgetId, "agent:racer:daily",
                new BigDecimal("10"), new BigDecimal("9.9"), BigDecimal.ZERO, Instant.parse("2026-11-30T00:00:00Z"), null);
        int threads = 8;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            // Each its own transaction, as on separate instances: only the unique constraint decides.
            results.add(pool.submit(() -> QuarkusTransaction.requiringNew().call(() -> {
                start.await(10, TimeUnit.SECONDS);
                RoundTrip trip = roundTrips.start();
                RoundTrip.Result<List<UUID>> fired = store.fire(trip, List.of(crossing), Instant.now());
                trip.run();
                return fired.get().size();
            })));
        }
        int inserted = 0;
        for (Future<Integer> result : results) {
            inserted += result.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(1, inserted);
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE rule_id = ?::uuid", ruleId));
    }

    @Test
    void anAlertStillFailingAfterRetryForIsDeadAndEveryAttemptIsListed() throws Exception {
        Fixtures.agentBudget(org, "doomed", "daily", "10");
        String key = Fixtures.apiKey(org);
        double deadBefore = sample(metrics(), "kavach_alerts_dead_total");
        try (Receiver receiver = new Receiver(Integer.MAX_VALUE)) {
            given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"budget_key\":\"agent:doomed:daily\",\"threshold_pct\":0.5,\"channel\":\"webhook\",\"target\":\""
                            + receiver.url("/down") + "\"}")
                    .post("/v1/alerts").then().statusCode(201);
            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"events\":[{\"agent_name\":\"doomed\",\"cost\":6,\"idempotency_key\":\"d-1\"}]}")
                    .post("/v1/ingest").then().statusCode(202);
            receiver.awaitRequests(1, 10_000);
            // As if it had fired 25 hours ago: the next failure ends its retries.
            Fixtures.execute("UPDATE alert_event SET fired_at = fired_at - interval '25 hours' WHERE org_id = ?", org);
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline
                    && Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ? AND status = 'dead'", org) == 0) {
                Thread.sleep(50);
            }
            given().auth().oauth2(admin).get("/v1/alerts/deliveries").then().statusCode(200)
                    .body("deliveries[0].status", equalTo("dead"))
                    .body("deliveries[0].attempts[0].outcome", equalTo("failed"))
                    .body("deliveries[0].attempts[0].http_status", equalTo(500));
            int attempts = receiver.requests.size();
            Thread.sleep(1_500);
            assertEquals(attempts, receiver.requests.size(), "a dead alert is not retried");
        }
        String metrics = metrics();
        assertTrue(sample(metrics, "kavach_alerts_dead_total") >= deadBefore + 1, "dead alerts are counted");
        assertTrue(sample(metrics, "kavach_alerts_fired_total") >= 1, "fired alerts are counted");
        assertTrue(sample(metrics, "kavach_alerts_deliveries_total", "outcome=\"failed\"") >= 2, "failed deliveries are counted");
        assertTrue(metrics.contains("kavach_alerts_outbox_age_seconds"), "the outbox age is a gauge");
    }

    private static String metrics() {
        var config = ConfigProvider.getConfig();
        String url = "http://localhost:" + config.getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001)
                + "/q/metrics";
        return given().accept("text/plain").when().get(url).then().statusCode(200).extract().asString();
    }

    /** The sum of the samples named {@code name} whose labels contain {@code label} (0 if absent). */
    private static double sample(String text, String name, String... label) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            if (label.length == 0 || (m.group(1) != null && m.group(1).contains(label[0]))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
