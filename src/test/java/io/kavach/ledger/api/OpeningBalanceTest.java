package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, case 3: a budget created mid-period counts the spend its scope already booked in the
 * period (an opening journal entry, so the audit stays exact), unless created with
 * {@code count_from: now}.
 */
@QuarkusTest
class OpeningBalanceTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(Instant.parse("2026-11-28T15:00:00Z"));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void aDailyAgentBudgetCreatedAfterSixDollarsShowsFourRemainingAndRefusesTheNextSix() {
        ingest("rb", "6", "e-1");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":10}]}")
                .when().put("/v1/agents/rb/budgets").then().statusCode(200)
                .body("budgets[0].spent", equalTo(6.0f))
                .body("budgets[0].remaining", equalTo(4.0f));
        reserve("rb", "6").statusCode(429).body("reason", equalTo("agent_budget_exceeded"));
        reserve("rb", "4").statusCode(201);
        assertNoDrift();
    }

    @Test
    void aDailyOrgBudgetCountsEveryAgentsSpendOfTheDayButNotYesterdays() {
        MutableClock.get().pin(Instant.parse("2026-11-27T23:00:00Z"));
        ingest("a", "50", "y-1");
        MutableClock.get().pin(Instant.parse("2026-11-28T15:00:00Z"));
        ingest("a", "2.5", "e-1");
        ingest("b", "3.5", "e-2");
        // A reservation committed today counts too.
        String id = reserve("b", "1").statusCode(201).extract().path("id");
        given().auth().oauth2(key).contentType("application/json").body("{\"cost\":0.5}")
                .post("/v1/reservations/" + id + "/commit").then().statusCode(200);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10}")
                .when().post("/v1/org/budgets").then().statusCode(201)
                .body("spent", equalTo(6.5f))
                .body("remaining", equalTo(3.5f));
        reserve("a", "6").statusCode(429).body("reason", equalTo("org_budget_exceeded"));
        assertNoDrift();
    }

    @Test
    void aNewPoolCountsItsMembersSpendOnly() {
        ingest("member", "4", "e-1");
        ingest("outsider", "100", "e-2");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"p\",\"period\":\"monthly\",\"limit_value\":10,\"agents\":[\"member\"]}")
                .when().post("/v1/shared-budgets").then().statusCode(201)
                .body("spent", equalTo(4.0f));
        assertNoDrift();
    }

    @Test
    void anOrgBudgetDeletedAndCreatedAgainTheSameDayKeepsItsSpend() {
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10}")
                .when().post("/v1/org/budgets").then().statusCode(201).extract().path("id");
        ingest("a", "3", "e-1");
        given().auth().oauth2(admin).when().delete("/v1/org/budgets/" + id).then().statusCode(204);
        ingest("a", "2", "e-2");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":8}")
                .when().post("/v1/org/budgets").then().statusCode(201)
                .body("id", equalTo(id))
                .body("limit_value", equalTo(8.0f))
                .body("spent", equalTo(5.0f))
                .body("remaining", equalTo(3.0f));
        assertNoDrift();
    }

    @Test
    void oneApplyOpensEveryNewBudgetFromOnePassOverTheSpend() {
        MutableClock.get().pin(Instant.parse("2026-11-02T10:00:00Z"));
        ingest("a", "1", "m-1"); // earlier this month: monthly budgets only
        MutableClock.get().pin(Instant.parse("2026-11-28T15:00:00Z"));
        ingest("a", "2", "e-1");
        ingest("b", "3", "e-2");
        ingest("c", "4", "e-3");
        given().auth().oauth2(admin).contentType("application/yaml").body("""
                org_budget: [{limit: 100, period: daily}, {limit: 100, period: monthly}]
                shared_budgets:
                  ab: {limit: 50, period: daily, agents: [a, b]}
                  bc: {limit: 50, period: monthly, agents: [b, c]}
                agents:
                  a: {budget: {type: monthly, limit: 20}}
                  b: {budget: {type: daily, limit: 20}}
                  c: {budget: {daily: 20, monthly: 30}}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().put("/v1/config").then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/org/budgets").then()
                .body("budgets.spent", contains(9.0f, 10.0f));
        given().auth().oauth2(admin).get("/v1/shared-budgets").then()
                .body("shared_budgets.spent", contains(5.0f, 7.0f));
        given().auth().oauth2(admin).get("/v1/agents/a/budget").then()
                .body("budgets.key", hasItem("agent:a:monthly"))
                .body("budgets.find { it.key == 'agent:a:monthly' }.spent", equalTo(3.0f));
        given().auth().oauth2(admin).get("/v1/agents/c/budget").then()
                .body("budgets.find { it.key == 'agent:c:daily' }.spent", equalTo(4.0f))
                .body("budgets.find { it.key == 'agent:c:monthly' }.spent", equalTo(4.0f));
        assertNoDrift();
    }

    /**
     * The cost of opening balances at scale: 2,000 agents with 20,000 events today, then one file
     * creating an org budget, a 1,000-member pool and 2,000 agent budgets. Prints the time; every
     * budget must carry in exactly its scope's spend.
     */
    @Test
    void aLargeApplyOpensThousandsOfBudgetsInOnePass() {
        int agents = 2_000;
        Fixtures.execute("INSERT INTO org (id) VALUES (?) ON CONFLICT DO NOTHING", org);
        Fixtures.execute("INSERT INTO agent (org_id, name) SELECT ?, 'bulk-' || g FROM generate_series(1, ?) g", org, agents);
        // Ten events of $0.01 per agent today, outside any window (no budget existed).
        Fixtures.execute("""
                INSERT INTO spend_event (org_id, agent_id, cost, window_ids, occurred_at)
                SELECT a.org_id, a.id, 0.01, '{}', '2026-11-28T10:00:00Z'::timestamptz + (g || ' seconds')::interval
                  FROM agent a, generate_series(1, 10) g WHERE a.org_id = ?
                """, org);
        StringBuilder yaml = new StringBuilder("org_budget: {limit: 1000, period: daily}\nshared_budgets:\n  half:\n"
                + "    limit: 1000\n    period: daily\n    agents:\n");
        for (int i = 1; i <= agents / 2; i++) {
            yaml.append("      - bulk-").append(i).append("\n");
        }
        yaml.append("agents:\n");
        for (int i = 1; i <= agents; i++) {
            yaml.append("  bulk-").append(i).append(": {budget: {type: daily, limit: 1}}\n");
        }
        long started = System.nanoTime();
        given().auth().oauth2(admin).contentType("application/yaml")
                .body(yaml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().put("/v1/config").then().statusCode(200);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("opening balances: apply of %d budgets over %d events took %d ms%n", agents + 2, agents * 10,
                millis);
        assertEqualsDecimal("200", Fixtures.queryDecimal(
                "SELECT w.spent FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                        + "WHERE b.org_id = ? AND b.scope = 'org' AND b.deleted_at IS NULL", org));
        assertEqualsDecimal("100", Fixtures.queryDecimal(
                "SELECT w.spent FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                        + "WHERE b.org_id = ? AND b.scope = 'shared' AND b.deleted_at IS NULL", org));
        assertEquals(agents, Fixtures.queryLong(
                "SELECT count(*) FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                        + "WHERE b.org_id = ? AND b.scope = 'agent' AND w.spent = 0.1", org));
        assertNoDrift();
    }

    @Test
    void countFromNowStartsAtZero() {
        ingest("rb", "6", "e-1");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10,\"count_from\":\"now\"}")
                .when().post("/v1/org/budgets").then().statusCode(201)
                .body("spent", equalTo(0.0f))
                .body("remaining", equalTo(10.0f));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10,\"count_from\":\"yesterday\"}")
                .when().post("/v1/org/budgets").then().statusCode(422)
                .body("errors[0].field", equalTo("count_from"));
        assertNoDrift();
    }

    @Test
    void aTotalBudgetCountsTheWholeHistoryAndTheYamlApplyCarriesItInToo() {
        MutableClock.get().pin(Instant.parse("2026-10-01T10:00:00Z"));
        ingest("rb", "7", "e-1");
        MutableClock.get().pin(Instant.parse("2026-11-28T15:00:00Z"));
        given().auth().oauth2(admin).contentType("application/yaml")
                .body("agents:\n  rb:\n    budget: {total: 20}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().put("/v1/config").then().statusCode(200);
        given().auth().oauth2(admin).when().get("/v1/agents/rb/budget").then()
                .body("budgets[0].key", equalTo("agent:rb:total"))
                .body("budgets[0].spent", equalTo(7.0f));
        assertEqualsDecimal("7", Fixtures.queryDecimal(
                "SELECT sum(spent_delta) FROM journal_entry WHERE org_id = ? AND kind = 'opening'", org));
        assertNoDrift();
    }

    private static void assertEqualsDecimal(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), "was " + actual);
    }

    private io.restassured.response.ValidatableResponse reserve(String agent, String amount) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":" + amount + "}").post("/v1/reservations").then();
    }

    private void ingest(String agent, String cost, String idempotencyKey) {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"idempotency_key\":\""
                        + idempotencyKey + "\"}]}")
                .when().post("/v1/ingest").then().statusCode(202);
    }

    private void assertNoDrift() {
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }
}
