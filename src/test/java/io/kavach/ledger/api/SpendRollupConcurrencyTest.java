package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.empty;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The spend rollup under real concurrency: threads ingesting and reserving/committing for
 * overlapping agents, pools and models at once; afterwards the rollup equals the recorded events
 * and commits exactly, each budget's rollup equals its windows' spent, and the audit is clean.
 */
@QuarkusTest
class SpendRollupConcurrencyTest {

    private static final String[] AGENTS = {"a-1", "a-2", "a-3", "a-4", "a-5"};
    private static final String[] MODELS = {"gpt-4o", "gpt-4o-mini", "claude"};
    private static final int THREADS = 6;
    private static final int ROUNDS = 12;

    @Test
    void rollupEqualsEventsCommitsAndWindowsAfterConcurrentBookings() throws Exception {
        String org = Tokens.newOrg();
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "1000000");
        Fixtures.pool(org, "pool-a", "daily", "1000000", "a-1", "a-2", "a-3");
        Fixtures.pool(org, "pool-b", "monthly", "1000000", "a-3", "a-4");
        Fixtures.agentBudget(org, "a-5", "total", "1000000");
        long seed = System.nanoTime();
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                Random random = new Random(seed + thread);
                start.await();
                for (int round = 0; round < ROUNDS; round++) {
                    if (random.nextBoolean()) {
                        StringBuilder body = new StringBuilder("{\"events\":[");
                        for (int i = 0; i < 20; i++) {
                            body.append(i == 0 ? "" : ",").append("{\"agent_name\":\"")
                                    .append(AGENTS[random.nextInt(AGENTS.length)]).append("\",\"model\":\"")
                                    .append(MODELS[random.nextInt(MODELS.length)]).append("\",\"cost\":")
                                    .append(BigDecimal.valueOf(random.nextInt(100_000_000), 9).toPlainString())
                                    .append(",\"input_tokens\":").append(random.nextInt(1000))
                                    .append(",\"idempotency_key\":\"t").append(thread).append('-').append(round)
                                    .append('-').append(i).append("\"}");
                        }
                        given().auth().oauth2(key).contentType("application/json").body(body.append("]}").toString())
                                .post("/v1/ingest").then().statusCode(202);
                    } else {
                        String agent = AGENTS[random.nextInt(AGENTS.length)];
                        String id = given().auth().oauth2(key).contentType("application/json")
                                .body("{\"agent_name\":\"" + agent + "\",\"amount\":0.5,\"model\":\"gpt-4o\"}")
                                .post("/v1/reservations").then().statusCode(201).extract().path("id");
                        given().auth().oauth2(key).contentType("application/json")
                                .body("{\"cost\":" + BigDecimal.valueOf(random.nextInt(900_000_000), 9).toPlainString()
                                        + ",\"output_tokens\":7}")
                                .post("/v1/reservations/" + id + "/commit").then().statusCode(200);
                    }
                }
                return null;
            }));
        }
        for (Future<?> future : done) {
            future.get(180, TimeUnit.SECONDS);
        }
        pool.shutdown();
        String where = " (seed " + seed + ")";

        BigDecimal events = Fixtures.queryDecimal("SELECT coalesce(sum(cost), 0) FROM spend_event WHERE org_id = ?", org);
        BigDecimal commits = Fixtures.queryDecimal(
                "SELECT coalesce(sum(cost), 0) FROM reservation WHERE org_id = ? AND status = 'committed'", org);
        long calls = Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org)
                + Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id = ? AND status = 'committed'", org);
        com.fasterxml.jackson.databind.JsonNode spend = new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .readTree(given().auth().oauth2(Tokens.viewer(org)).get("/v1/spend").then().statusCode(200)
                        .extract().asString());
        assertEquals(0, events.add(commits).compareTo(spend.get("total").get("cost").decimalValue()),
                "rollup total vs events + commits" + where);
        assertEquals(calls, spend.get("total").get("calls").asLong(), where);

        List<Map<String, Object>> budgets = Fixtures.queryRows("""
                SELECT b.id, (SELECT coalesce(sum(w.spent), 0) FROM budget_window w WHERE w.budget_id = b.id) AS spent,
                       (SELECT coalesce(sum(d.cost), 0) FROM spend_daily d WHERE d.budget_id = b.id) AS rolled
                  FROM budget b WHERE b.org_id = ?
                """, org);
        assertEquals(4, budgets.size());
        for (Map<String, Object> budget : budgets) {
            assertEquals(0, ((BigDecimal) budget.get("spent")).compareTo((BigDecimal) budget.get("rolled")),
                    "budget " + budget + where);
            assertTrue(((BigDecimal) budget.get("spent")).signum() > 0, "every budget booked something" + where);
        }
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", empty());
    }
}
