package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import io.kavach.ledger.service.AgentService;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An alert's kill stops the agent for the rest of the window that fired it, as an exhausted budget
 * does (ADR 0011), and the agent runs again in the next window without anyone resuming it; an
 * admin's own pause has no end, and a kill never shortens it.
 */
@QuarkusTest
class KillPauseWindowTest {

    private static final Instant MORNING = Instant.parse("2026-11-28T09:30:00Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-11-29T00:00:01Z");

    /** What the expiry sweeper runs every second (switched off in tests, which move the clock). */
    @Inject
    AgentService agents;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(MORNING);
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void aKilledAgentRunsAgainWhenTheWindowThatFiredTheKillEnds() throws Exception {
        Fixtures.agentBudget(org, "looping-bot", "daily", "10");
        killAt("agent:looping-bot:daily", "0.9");
        ingest("looping-bot", "9.5", "k-1", 202);

        awaitPaused("looping-bot", true);
        given().auth().oauth2(admin).get("/v1/agents/looping-bot/budget").then().statusCode(200)
                .body("paused_reason", startsWith("alert: agent:looping-bot:daily reached 90%"))
                .body("paused_until", equalTo("2026-11-29T00:00:00Z"));
        reserve("looping-bot").statusCode(429)
                .body("reason", equalTo("agent_paused"))
                .body("paused_until", equalTo("2026-11-29T00:00:00Z"));

        MutableClock.get().pin(NEXT_DAY);
        agents.liftEndedPauses();
        awaitPaused("looping-bot", false);
        given().auth().oauth2(admin).get("/v1/agents/looping-bot/budget").then()
                .body("paused_until", nullValue()).body("allowed", equalTo(true));
        reserve("looping-bot").statusCode(201);
    }

    @Test
    void anAdminsPauseHasNoEndAndAKillDoesNotShortenIt() throws Exception {
        Fixtures.agentBudget(org, "held-bot", "daily", "10");
        killAt("agent:held-bot:daily", "0.5");
        given().auth().oauth2(admin).contentType("application/json").body("{\"reason\":\"investigating\"}")
                .post("/v1/agents/held-bot/pause").then().statusCode(200).body("paused_until", nullValue());

        ingest("held-bot", "6", "k-1", 429); // booked, answered so that the SDK stops the paused agent
        awaitDeliveries(1);
        given().auth().oauth2(admin).get("/v1/agents/held-bot/budget").then()
                .body("paused", equalTo(true)).body("paused_until", nullValue());

        MutableClock.get().pin(NEXT_DAY);
        agents.liftEndedPauses();
        given().auth().oauth2(admin).get("/v1/agents/held-bot/budget").then().body("paused", equalTo(true));
        reserve("held-bot").statusCode(429).body("reason", equalTo("agent_paused"));
    }

    private void killAt(String budgetKey, String threshold) {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"" + budgetKey + "\",\"threshold_pct\":" + threshold + ",\"channel\":\"kill\"}")
                .post("/v1/alerts").then().statusCode(201);
    }

    private void ingest(String agent, String cost, String idempotencyKey, int status) {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"idempotency_key\":\""
                        + idempotencyKey + "\"}]}")
                .post("/v1/ingest").then().statusCode(status);
    }

    private io.restassured.response.ValidatableResponse reserve(String agent) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":0.01}").post("/v1/reservations").then();
    }

    private void awaitPaused(String agent, boolean paused) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            boolean now = given().auth().oauth2(admin).get("/v1/agents/" + agent + "/budget").then().statusCode(200)
                    .extract().path("paused");
            if (now == paused) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(agent + " did not become " + (paused ? "paused" : "unpaused") + " within 10 s");
    }

    private void awaitDeliveries(int delivered) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            long done = Fixtures.queryLong(
                    "SELECT count(*) FROM alert_event WHERE org_id = ? AND action_done_at IS NOT NULL", org);
            if (done >= delivered) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the kill was not carried out within 10 s");
    }
}
