package io.kavach.ledger.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The metrics operators chart (docs/operations.md, docs/ops/grafana-dashboard.json) appear after
 * real traffic, with bounded labels: reason codes and scopes, never an org or agent name.
 */
@QuarkusTest
class LedgerMetricsTest {

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? (\\S+)");

    @Inject
    ExpirySweeper sweeper;

    @AfterEach
    void realTime() {
        MutableClock.get().reset();
    }

    /** Where the test profile serves /q/metrics: the management interface if it is enabled, else the API port. */
    private static String metrics() {
        var config = ConfigProvider.getConfig();
        boolean management = config.getOptionalValue("quarkus.management.enabled", Boolean.class).orElse(false);
        String url = management
                ? "http://localhost:" + config.getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001)
                        + "/q/metrics"
                : "/q/metrics";
        return given().accept("text/plain").when().get(url).then().statusCode(200).extract().asString();
    }

    /** The value of the sample {@code name} whose labels include every one of {@code labels} (0 if absent). */
    private static double sample(String text, String name, String... labels) {
        Matcher m = SAMPLE.matcher(text);
        double total = 0;
        while (m.find()) {
            if (!m.group(1).equals(name)) {
                continue;
            }
            String found = m.group(3) == null ? "" : m.group(3);
            boolean all = true;
            for (String label : labels) {
                all &= found.contains(label);
            }
            if (all) {
                total += Double.parseDouble(m.group(4));
            }
        }
        return total;
    }

    private static void reserve(String key, String agent, String amount, int expected) {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":" + amount + ",\"ttl_seconds\":60}")
                .when().post("/v1/reservations").then().statusCode(expected);
    }

    @Test
    void spendTrafficShowsUpAsCommandsRefusalsEventsQueueBatchPoolAndLagWithoutTenantNames() {
        String org = "metrics-" + UUID.randomUUID().toString().substring(0, 8);
        String agent = "metrics-agent-" + UUID.randomUUID().toString().substring(0, 6);
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "1.00");
        String before = metrics();

        reserve(key, agent, "0.60", 201);
        reserve(key, agent, "0.60", 429); // org_budget_exceeded
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":0.01,\"idempotency_key\":\"m-1\"},"
                        + "{\"agent_name\":\"" + agent + "\",\"cost\":0.01,\"idempotency_key\":\"m-2\"}]}")
                .when().post("/v1/ingest").then().statusCode(202);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":0.01,\"idempotency_key\":\"m-1\"}]}")
                .when().post("/v1/ingest").then().statusCode(202);

        // A hold past its expiry that no sweep has freed yet is lag; the sweep clears it.
        MutableClock.get().advance(Duration.ofSeconds(75));
        sweeper.measureLag();
        String late = metrics();
        assertTrue(sample(late, "kavach_expiry_sweeper_lag_seconds") >= 15, "the 60-s hold is 15 s overdue:\n" + late);
        sweeper.sweep();
        String after = metrics();
        assertEquals(0, sample(after, "kavach_expiry_sweeper_lag_seconds"));

        assertEquals(1, delta(before, after, "kavach_ledger_commands_total", "command=\"reserve\"", "outcome=\"held\"",
                "reason=\"none\""));
        assertEquals(1, delta(before, after, "kavach_ledger_commands_total", "command=\"reserve\"", "outcome=\"refused\"",
                "reason=\"org_budget_exceeded\""));
        assertEquals(2, delta(before, after, "kavach_ledger_commands_total", "command=\"ingest\"", "outcome=\"ingested\""));
        assertEquals(1, delta(before, after, "kavach_budget_exceeded_total", "reason=\"org_budget_exceeded\"",
                "scope=\"org\""));
        assertEquals(2, delta(before, after, "kavach_ingest_events_total", "result=\"accepted\""));
        assertEquals(1, delta(before, after, "kavach_ingest_events_total", "result=\"duplicate\""));
        assertTrue(delta(before, after, "kavach_expiry_expired_total") >= 1, "the overdue hold was expired by the sweep");
        assertTrue(sample(after, "kavach_ledger_batch_size_count") >= 4, "every command went through a ledger batch");
        assertTrue(after.contains("\nkavach_ledger_queue_depth "), "queue depth gauge");
        assertTrue(after.contains("agroal_active_count{"), "connection pool in use");
        assertTrue(after.contains("agroal_awaiting_count{"), "callers waiting for a connection");

        // Bounded cardinality: no tenant's names in any label.
        for (String tenant : new String[] {org, agent}) {
            assertFalse(after.contains(tenant), tenant + " appears in /q/metrics");
        }
    }

    private static double delta(String before, String after, String name, String... labels) {
        return sample(after, name, labels) - sample(before, name, labels);
    }

    @Test
    void everyMetricTheGrafanaDashboardChartsIsServed() throws IOException {
        // Enough traffic that every series exists, whatever ran before.
        String org = "dash-" + UUID.randomUUID().toString().substring(0, 8);
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "0.10");
        reserve(key, "bot", "0.20", 429);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"bot\",\"cost\":0.01,\"idempotency_key\":\"d-1\"}]}")
                .when().post("/v1/ingest").then().statusCode(202);
        given().auth().oauth2(Tokens.admin(org)).when().get("/v1/org/budgets").then().statusCode(200);
        sweeper.sweep();
        String served = metrics();

        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("docs", "ops", "grafana-dashboard.json")));
        Set<String> charted = new TreeSet<>();
        Matcher names = Pattern.compile("\\b((?:kavach|agroal|http_server)_[a-z_]+)").matcher("");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                names.reset(target.get("expr").asText());
                while (names.find()) {
                    charted.add(names.group(1));
                }
            }
        }
        assertTrue(charted.size() >= 10, "the dashboard charts the ledger's metrics: " + charted);
        for (String name : charted) {
            assertTrue(Pattern.compile("(?m)^" + name + "[{ ]").matcher(served).find(),
                    "the dashboard charts " + name + ", which /q/metrics does not serve");
        }
    }
}
