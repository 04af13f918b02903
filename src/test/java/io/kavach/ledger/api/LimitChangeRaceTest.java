package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, row 5: an admin lowers a limit while the first spend of a new window is in flight. The
 * spend's window creation is slowed down (a trigger sleeps in it) so the admin's change lands
 * exactly in between the spend reading the old limit and its window being written. Before the
 * org's budget-definitions lock, the new window kept the old limit for its whole period; now the
 * change waits for the spend and then lowers the window too (ADR 0008).
 */
@QuarkusTest
class LimitChangeRaceTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @Test
    void aLimitLoweredWhileTheFirstSpendOfAWindowIsInFlightReachesThatWindow() throws Exception {
        UUID budget = Fixtures.agentBudget(org, "bot", "daily", "100");
        Fixtures.execute("""
                CREATE OR REPLACE FUNCTION test_slow_window() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF EXISTS (SELECT 1 FROM budget WHERE id = NEW.budget_id AND org_id = '%s') THEN
                    PERFORM pg_sleep(1.5);
                  END IF;
                  RETURN NEW;
                END $$
                """.formatted(org));
        Fixtures.execute("CREATE TRIGGER test_slow_window BEFORE INSERT ON budget_window "
                + "FOR EACH ROW EXECUTE FUNCTION test_slow_window()");
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> spend = threads.submit(() -> given().auth().oauth2(key).contentType("application/json")
                    .body("{\"agent_name\":\"bot\",\"amount\":1}").post("/v1/reservations").statusCode());
            awaitSpendSleepingInItsWindowInsert();
            long changeStarted = System.nanoTime();
            Future<Integer> change = threads.submit(() -> given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":5}]}")
                    .put("/v1/agents/bot/budgets").statusCode());
            assertEquals(201, spend.get(30, TimeUnit.SECONDS));
            assertEquals(200, change.get(30, TimeUnit.SECONDS));
            long changeMillis = (System.nanoTime() - changeStarted) / 1_000_000;
            System.out.printf("limit change waited %d ms for the in-flight spend%n", changeMillis);
        } finally {
            threads.shutdownNow();
            Fixtures.execute("DROP TRIGGER test_slow_window ON budget_window");
            Fixtures.execute("DROP FUNCTION test_slow_window()");
        }
        BigDecimal windowLimit = Fixtures.queryDecimal(
                "SELECT limit_value FROM budget_window WHERE budget_id = ?", budget);
        assertEquals(0, new BigDecimal("5").compareTo(windowLimit), "the new window's limit is " + windowLimit);
        // 1 held + 5 > 5: refused by the lowered limit.
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"amount\":5}").post("/v1/reservations")
                .then().statusCode(429).body("reason", equalTo("agent_budget_exceeded"));
        given().auth().oauth2(admin).get("/v1/agents/bot/budget").then()
                .body("budgets[0].limit_value", equalTo(5.0f)).body("budgets[0].remaining", equalTo(4.0f));
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
        assertTrue(Fixtures.queryLong("SELECT count(*) FROM budget_window WHERE budget_id = ?", budget) == 1);
    }

    @Inject
    MeterRegistry metrics;

    /**
     * Budget writes and first spends of new agents (which insert agent rows, key-share locking the
     * org row a budget writer holds) at once, from real threads: no deadlock, no 5xx, no drift.
     */
    @Test
    void budgetWritesAndNewAgentsFirstSpendsNeverDeadlock() throws Exception {
        Fixtures.orgBudget(org, "daily", "1000000");
        double deadlocksBefore = deadlocks();
        ExecutorService threads = Executors.newFixedThreadPool(5);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<List<Integer>>> workers = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                int thread = t;
                workers.add(threads.submit(() -> {
                    List<Integer> statuses = new ArrayList<>();
                    for (int i = 0; !stop.get(); i++) {
                        statuses.add(given().auth().oauth2(key).contentType("application/json")
                                .body("{\"events\":[{\"agent_name\":\"new-" + thread + "-" + i + "\",\"cost\":0.01}]}")
                                .post("/v1/ingest").statusCode());
                    }
                    return statuses;
                }));
            }
            workers.add(threads.submit(() -> {
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    statuses.add(given().auth().oauth2(admin).contentType("application/json")
                            .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":" + (100 + i) + "}]}")
                            .put("/v1/agents/new-0-" + i + "/budgets").statusCode());
                    statuses.add(given().auth().oauth2(admin).contentType("application/yaml")
                            .body(("shared_budgets:\n  p:\n    limit: " + (50 + i) + "\n    period: daily\n"
                                    + "    agents: [new-1-" + i + ", new-2-" + i + "]\n")
                                    .getBytes(StandardCharsets.UTF_8))
                            .put("/v1/config").statusCode());
                }
                stop.set(true);
                return statuses;
            }));
            List<Integer> all = new ArrayList<>();
            for (Future<List<Integer>> worker : workers) {
                all.addAll(worker.get(120, TimeUnit.SECONDS));
            }
            // 409 concurrent_change: a budget write racing the ledger to create the same agent
            // row loses on the unique index and is told to retry (ADR 0002 §7). Never a 5xx.
            assertTrue(all.stream().allMatch(s -> s == 200 || s == 202 || s == 409),
                    "statuses: " + new TreeSet<>(all));
            System.out.printf("%d requests, budget writes interleaved with new agents' first spends%n", all.size());
        } finally {
            stop.set(true);
            threads.shutdownNow();
        }
        assertEquals(0, deadlocks() - deadlocksBefore, "no ledger batch was retried after a deadlock");
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    /** Until the spend has read the limit (100) and sleeps in the trigger creating its window. */
    private static void awaitSpendSleepingInItsWindowInsert() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Fixtures.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
                + " AND query LIKE '%INSERT INTO budget_window%'") == 0) {
            assertTrue(System.nanoTime() < deadline, "the spend never reached its window insert");
            Thread.sleep(10);
        }
    }

    private double deadlocks() {
        var counter = metrics.find("kavach.ledger.retries").tag("cause", "deadlock").counter();
        return counter == null ? 0 : counter.count();
    }
}
