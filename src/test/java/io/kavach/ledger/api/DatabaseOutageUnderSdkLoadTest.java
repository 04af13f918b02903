package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kavach.ledger.testing.DatabaseBehindProxy;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.SdkExporterModel;
import io.kavach.ledger.testing.SdkExporterModel.Decision;
import io.kavach.ledger.testing.SdkExporterModel.Exchange;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away while SDK exporters report (issue: spend reported during an outage was
 * lost, because the SDK drops a batch answered 5xx). With the database behind a proxy the test
 * controls, agents modelled after the SDK 2.1.0 exporter ({@link SdkExporterModel}) report
 * without pause; the database is cut mid-load and restored. Every answer must be one the SDK keeps
 * (a 2xx, or a 429 it retries and then buffers and replays), and afterwards every reported event
 * is counted exactly once. Phases advance on what the agents observed, never on elapsed time.
 */
@QuarkusTest
@TestProfile(DatabaseBehindProxy.class)
class DatabaseOutageUnderSdkLoadTest {

    private static final int AGENTS = 4;
    private static final int EVENTS_PER_BATCH = 25;
    private static final long PHASE_DEADLINE_MILLIS = 120_000;

    @TestHTTPResource("/")
    URI base;

    private final String org = Tokens.newOrg();
    private final Queue<String[]> reported = new ConcurrentLinkedQueue<>();

    @Test
    void postgresStoppedUnderSdkLoadLosesNoEventAndCountsEachOnce() throws Exception {
        String key = Fixtures.apiKey(org);
        // A key this instance has never seen: during the outage its authentication needs the database too.
        String unseenKey = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "1000000");
        Fixtures.pool(org, "all-agents", "daily", "1000000", "agent-0", "agent-1", "agent-2", "agent-3");
        assertTrue(DatabaseBehindProxy.connectionsThroughProxy() > 0, "the service must talk to PostgreSQL through the proxy");

        List<SdkExporterModel> agents = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            agents.add(new SdkExporterModel(base, key, "agent-" + i));
        }
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(AGENTS);
        List<Future<?>> running = new ArrayList<>();
        for (SdkExporterModel agent : agents) {
            running.add(pool.submit(() -> {
                while (!stop.get()) {
                    report(agent);
                    Thread.sleep(20);
                }
                return null;
            }));
        }
        try {
            waitFor("every agent exported twice", () -> agents.stream().allMatch(a -> successes(a) >= 2));

            DatabaseBehindProxy.setDatabaseUp(false);
            waitFor("two agents buffered events they could not deliver",
                    () -> agents.stream().filter(a -> a.buffered() > 0).count() >= 2);
            SdkExporterModel newcomer = new SdkExporterModel(base, unseenKey, "agent-new");
            report(newcomer);
            assertEquals(Decision.BUFFER, newcomer.exchanges().get(newcomer.exchanges().size() - 1).decision(),
                    newcomer.exchanges().toString());

            DatabaseBehindProxy.setDatabaseUp(true);
            long[] before = agents.stream().mapToLong(DatabaseOutageUnderSdkLoadTest::successes).toArray();
            waitFor("every agent delivered twice more after the database came back", () -> {
                for (int i = 0; i < AGENTS; i++) {
                    if (successes(agents.get(i)) < before[i] + 2) {
                        return false;
                    }
                }
                return true;
            });
            agents.add(newcomer);
        } finally {
            stop.set(true);
            for (Future<?> agent : running) {
                agent.get(PHASE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            }
            pool.shutdown();
            DatabaseBehindProxy.setDatabaseUp(true);
        }
        // The SDK replays its buffer after its next successful export: each agent reports until it is empty.
        for (SdkExporterModel agent : agents) {
            long deadline = System.currentTimeMillis() + PHASE_DEADLINE_MILLIS;
            do {
                report(agent);
            } while (agent.buffered() > 0 && System.currentTimeMillis() < deadline);
            assertEquals(0, agent.buffered(), agent.agentName() + " still has buffered events");
        }

        List<Exchange> all = agents.stream().flatMap(a -> a.exchanges().stream()).toList();
        Map<String, Long> byAnswer = all.stream().collect(Collectors.groupingBy(
                e -> e.status() + " " + e.reason() + " " + e.decision(), Collectors.counting()));
        System.out.println("[outage] answers seen by the SDK model: " + byAnswer);
        for (Exchange exchange : all) {
            assertTrue(exchange.status() == 202 || exchange.status() == 429 && "ledger_unavailable".equals(exchange.reason()),
                    "an answer the SDK would not keep and replay: " + exchange);
            assertTrue(exchange.decision() != Decision.DROP && exchange.decision() != Decision.DROP_AUTH
                    && exchange.decision() != Decision.STOP, exchange.toString());
        }
        assertTrue(all.stream().anyMatch(e -> e.status() == 429), "the outage was seen: " + byAnswer);
        assertTrue(all.stream().anyMatch(e -> e.replay() && e.decision() == Decision.SUCCESS), "buffers were replayed");

        // Every event reported, exactly once: rows, money, and the counters the audit re-derives.
        BigDecimal total = reported.stream().map(e -> new BigDecimal(e[1])).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(reported.size(), Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        assertEquals(reported.size(), Fixtures.queryLong(
                "SELECT count(DISTINCT idempotency_key) FROM spend_event WHERE org_id = ?", org));
        assertEquals(0, total.compareTo(Fixtures.queryDecimal(
                "SELECT coalesce(sum(cost), 0) FROM spend_event WHERE org_id = ?", org)));
        assertEquals(0, total.compareTo(Fixtures.spentAt(org, "org", null, Instant.now())));
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    /** One round of an agent: a batch of calls (each an event with its own key), then the exporter's flush. */
    private void report(SdkExporterModel agent) throws InterruptedException {
        for (int i = 0; i < EVENTS_PER_BATCH; i++) {
            String idempotencyKey = UUID.randomUUID().toString();
            String cost = "0.00" + (1 + i % 9) + "7";
            reported.add(new String[] {idempotencyKey, cost});
            agent.call("{\"agent_name\": \"" + agent.agentName() + "\", \"model\": \"gpt-4o\", \"provider\": \"openai\", "
                    + "\"input_tokens\": 100, \"output_tokens\": 20, \"cost\": " + cost + ", \"duration_ms\": 300, "
                    + "\"timestamp\": \"" + Instant.now() + "\", \"idempotency_key\": \"" + idempotencyKey + "\", "
                    + "\"status\": \"success\"}");
        }
        agent.flush();
    }

    private static long successes(SdkExporterModel agent) {
        return agent.exchanges().stream().filter(e -> !e.replay() && e.decision() == Decision.SUCCESS).count();
    }

    private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + PHASE_DEADLINE_MILLIS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("gave up waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
