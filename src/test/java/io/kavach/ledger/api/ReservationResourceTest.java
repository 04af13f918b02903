package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.ops.ExpirySweeper;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ReservationResourceTest {

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);

    @Inject
    ExpirySweeper sweeper;

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void reserveThenCommitMovesTheHoldToSpend() {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.pool(org, "engineering-pool", "daily", "500", "research-bot", "support-agent");
        String id = reserve("research-bot", "0.75", null)
                .statusCode(201)
                .header("Location", matchesPattern(".*/v1/reservations/[0-9a-f-]{36}"))
                .body("status", equalTo("pending"))
                .body("agent_name", equalTo("research-bot"))
                .body("amount", equalTo(0.75f))
                .body("expires_at", equalTo("2026-11-28T10:05:00Z"))
                .body("budgets", hasSize(1))
                .body("budgets[0].key", equalTo("shared:engineering-pool:daily"))
                .body("budgets[0].reserved", equalTo(0.75f))
                .body("budgets[0].remaining", equalTo(499.25f))
                .extract().path("id");

        commit(id, "{\"cost\":0.5,\"input_tokens\":1200,\"output_tokens\":300}")
                .statusCode(200)
                .body("status", equalTo("committed"))
                .body("amount", equalTo(0.75f))
                .body("cost", equalTo(0.5f))
                .body("overrun", equalTo(false))
                .body("late", equalTo(false));
        given().auth().oauth2(key).get("/v1/reservations/" + id).then().statusCode(200)
                .body("status", equalTo("committed")).body("input_tokens", equalTo(1200));
        assertCounters("shared:engineering-pool:daily", "0.5", "0");
    }

    @Test
    void reserveBeyondSharedPoolAnswers429WithPoolKey() {
        MutableClock.get().pin(Instant.parse("2026-11-28T23:59:30Z"));
        Fixtures.pool(org, "tiny-pool", "daily", "1.00", "bot");
        reserve("bot", "0.90", null).statusCode(201);
        reserve("bot", "0.20", null)
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", "30")
                .body("reason", equalTo("shared_budget_exceeded"))
                .body("budget.key", equalTo("shared:tiny-pool:daily"))
                .body("budget.remaining", equalTo(0.1f))
                .body("requested", equalTo(0.2f))
                .body("retry_after_seconds", equalTo(30));
        assertCounters("shared:tiny-pool:daily", "0", "0.9");
    }

    @Test
    void reasonPrecedenceIsOrgThenSharedThenAgent() {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        Fixtures.pool(org, "pool", "monthly", "1", "bot");
        reserve("bot", "2", null).statusCode(429).body("reason", equalTo("shared_budget_exceeded"));
        Fixtures.orgBudget(org, "total", "1");
        reserve("bot", "2", null).statusCode(429).body("reason", equalTo("org_budget_exceeded"))
                .body("budget.key", equalTo("org:total"))
                .body("retry_after_seconds", nullValue());
        String org2 = Tokens.newOrg();
        String key2 = Fixtures.apiKey(org2);
        Fixtures.agentBudget(org2, "solo", "daily", "1");
        given().auth().oauth2(key2).contentType("application/json")
                .body("{\"agent_name\":\"solo\",\"amount\":5}").post("/v1/reservations")
                .then().statusCode(429).body("reason", equalTo("agent_budget_exceeded"))
                .body("budget.key", equalTo("agent:solo:daily"));
    }

    @Test
    void commitAboveTheHoldIsBookedAsOverrun() {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        String id = reserve("bot", "0.9", null).statusCode(201).extract().path("id");
        commit(id, "{\"cost\":1.4}").statusCode(200).body("overrun", equalTo(true)).body("cost", equalTo(1.4f));
        assertCounters("agent:bot:daily", "1.4", "0");
        reserve("bot", "0.01", null).statusCode(429).body("budget.remaining", equalTo(-0.4f));
    }

    @Test
    void repeatedCommitIsIdempotentAndADifferentCostConflicts() {
        Fixtures.agentBudget(org, "bot", "daily", "10");
        String id = reserve("bot", "1", null).statusCode(201).extract().path("id");
        commit(id, "{\"cost\":0.3}").statusCode(200);
        commit(id, "{\"cost\":0.30000000000000004}").statusCode(200).body("cost", equalTo(0.3f));
        commit(id, "{\"cost\":0.4}").statusCode(409).contentType("application/problem+json")
                .body("reason", equalTo("reservation_already_committed"));
        release(id).statusCode(409).body("reason", equalTo("reservation_already_committed"));
        assertCounters("agent:bot:daily", "0.3", "0");
    }

    @Test
    void releaseIsRepeatableAndCommitAfterReleaseConflicts() {
        Fixtures.agentBudget(org, "bot", "daily", "10");
        String id = reserve("bot", "2", null).statusCode(201).extract().path("id");
        release(id).statusCode(200).body("status", equalTo("released"));
        release(id).statusCode(200).body("status", equalTo("released"));
        commit(id, "{\"cost\":1}").statusCode(409).body("reason", equalTo("reservation_released"));
        assertCounters("agent:bot:daily", "0", "0");
    }

    @Test
    void expiredHoldStopsCountingAndALateCommitIsStillBooked() {
        MutableClock.get().pin(Instant.parse("2026-11-28T12:00:00Z"));
        Fixtures.agentBudget(org, "bot", "daily", "1");
        String id = given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"amount\":0.8,\"ttl_seconds\":60}").post("/v1/reservations")
                .then().statusCode(201).body("expires_at", equalTo("2026-11-28T12:01:00Z")).extract().path("id");
        reserve("bot", "0.5", null).statusCode(429);

        MutableClock.get().advance(Duration.ofSeconds(60));
        sweeper.sweepNow();
        given().auth().oauth2(key).get("/v1/reservations/" + id).then().body("status", equalTo("expired"));
        assertCounters("agent:bot:daily", "0", "0");
        reserve("bot", "0.5", null).statusCode(201);

        commit(id, "{\"cost\":0.7}").statusCode(200)
                .body("status", equalTo("committed")).body("late", equalTo(true)).body("overrun", equalTo(false));
        assertCounters("agent:bot:daily", "0.7", "0.5");
        release(id).statusCode(409);
    }

    @Test
    void commitOfAnExpiredButUnsweptHoldIsLate() {
        MutableClock.get().pin(Instant.parse("2026-11-28T12:00:00Z"));
        Fixtures.agentBudget(org, "bot", "daily", "1");
        String id = given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"amount\":0.8,\"ttl_seconds\":1}").post("/v1/reservations")
                .then().statusCode(201).extract().path("id");
        MutableClock.get().advance(Duration.ofSeconds(5));
        commit(id, "{\"cost\":0.2}").statusCode(200).body("late", equalTo(true));
        assertCounters("agent:bot:daily", "0.2", "0");
    }

    @Test
    void sameIdempotencyKeyReplaysTheOriginalAnswer() {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        ValidatableResponse first = reserve("bot", "0.6", "req-1").statusCode(201);
        String id = first.extract().path("id");
        Map<String, Object> original = first.extract().jsonPath().getMap("");
        commit(id, "{\"cost\":0.1}").statusCode(200);

        Map<String, Object> replay = reserve("bot", "0.6", "req-1").statusCode(201).extract().jsonPath().getMap("");
        assertEquals(original, replay);
        reserve("bot", "0.7", "req-1").statusCode(422).body("reason", equalTo("idempotency_key_reused"));

        reserve("bot", "5", "req-2").statusCode(429).body("reason", equalTo("agent_budget_exceeded"));
        reserve("bot", "5", "req-2").statusCode(429).body("requested", equalTo(5.0f));
        assertCounters("agent:bot:daily", "0.1", "0");
    }

    @Test
    void invalidReservationsList422ErrorsAndHoldNothing() {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bad\\u0000name\",\"amount\":-1,\"ttl_seconds\":7200,\"colour\":\"red\"}")
                .post("/v1/reservations")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("agent_name", "amount", "ttl_seconds", "colour"));
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"bot\",\"amount\":0}")
                .post("/v1/reservations").then().statusCode(422).body("errors.field", contains("amount"));
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"bot\",\"amount\":\"1\"}")
                .post("/v1/reservations").then().statusCode(422);
        String id = reserve("bot", "0.5", null).statusCode(201).extract().path("id");
        commit(id, "{\"cost\":-1}").statusCode(422);
        commit(id, "{}").statusCode(422).body("errors.field", contains("cost"));
        assertCounters("agent:bot:daily", "0", "0.5");
    }

    @Test
    void anotherOrgsReservationIs404AndJwtIsForbidden() {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        String id = reserve("bot", "0.5", null).statusCode(201).extract().path("id");
        String otherKey = Fixtures.apiKey(Tokens.newOrg());
        given().auth().oauth2(otherKey).get("/v1/reservations/" + id).then().statusCode(404);
        given().auth().oauth2(otherKey).contentType("application/json").body("{\"cost\":0.1}")
                .post("/v1/reservations/" + id + "/commit").then().statusCode(404);
        given().auth().oauth2(otherKey).post("/v1/reservations/" + id + "/release").then().statusCode(404);
        given().auth().oauth2(key).get("/v1/reservations/00000000-0000-7000-8000-000000000000").then().statusCode(404);
        given().auth().oauth2(Tokens.admin(org)).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"amount\":0.1}").post("/v1/reservations").then().statusCode(403);
        given().contentType("application/json").body("{\"agent_name\":\"bot\",\"amount\":0.1}")
                .post("/v1/reservations").then().statusCode(401);
        assertCounters("agent:bot:daily", "0", "0.5");
    }

    @Test
    void agentWithoutAnyBudgetIsAdmittedAndHoldsNothing() {
        reserve("free-agent", "3", null).statusCode(201).body("budgets", hasSize(0)).body("id", notNullValue());
    }

    private ValidatableResponse reserve(String agent, String amount, String idempotencyKey) {
        String body = "{\"agent_name\":\"" + agent + "\",\"amount\":" + amount
                + (idempotencyKey == null ? "" : ",\"idempotency_key\":\"" + idempotencyKey + "\"") + "}";
        return given().auth().oauth2(key).contentType("application/json").body(body).post("/v1/reservations").then();
    }

    private ValidatableResponse commit(String id, String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body)
                .post("/v1/reservations/" + id + "/commit").then();
    }

    private ValidatableResponse release(String id) {
        return given().auth().oauth2(key).post("/v1/reservations/" + id + "/release").then();
    }

    /** Counters of the budget's current window, straight from the database. */
    private void assertCounters(String budgetKey, String spent, String reserved) {
        String[] parts = budgetKey.split(":");
        String where = parts[0].equals("org") ? "b.scope = 'org' AND b.period = '" + parts[1] + "'"
                : "b.scope = '" + parts[0] + "' AND b.name = '" + parts[1] + "' AND b.period = '" + parts[2] + "'";
        String sql = "SELECT w.%s FROM budget_window w JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? AND "
                + where + " ORDER BY w.window_start DESC LIMIT 1";
        assertEquals(0, new java.math.BigDecimal(spent).compareTo(Fixtures.queryDecimal(String.format(sql, "spent"), org)),
                budgetKey + " spent");
        assertEquals(0, new java.math.BigDecimal(reserved).compareTo(Fixtures.queryDecimal(String.format(sql, "reserved"), org)),
                budgetKey + " reserved");
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }
}
