package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kill switch's endpoints: pause and resume one agent, and the paused state every agent read shows. */
@QuarkusTest
class AgentPauseTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00.123456Z"));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void pauseShowsPausedStateEverywhereUntilResume() {
        Fixtures.agentBudget(org, "research-bot", "daily", "25");
        pause("research-bot", "{\"reason\":\"runaway loop\"}").statusCode(200)
                .body("agent", equalTo("research-bot"))
                .body("paused", equalTo(true))
                .body("paused_reason", equalTo("runaway loop"))
                .body("paused_at", equalTo("2026-11-28T09:30:00.123456Z"))
                .body("allowed", equalTo(false))
                .body("remaining", equalTo(25.0f))
                .body("budgets.key", contains("agent:research-bot:daily"));
        given().auth().oauth2(Tokens.viewer(org)).get("/v1/agents/research-bot/budget").then().statusCode(200)
                .body("paused", equalTo(true)).body("paused_reason", equalTo("runaway loop")).body("allowed", equalTo(false));
        given().auth().oauth2(Fixtures.apiKey(org)).get("/v1/agents/research-bot/budget").then().statusCode(200)
                .body("paused", equalTo(true));
        given().auth().oauth2(Tokens.viewer(org)).get("/v1/agents").then().statusCode(200)
                .body("agents[0].name", equalTo("research-bot"))
                .body("agents[0].paused", equalTo(true))
                .body("agents[0].paused_reason", equalTo("runaway loop"))
                .body("agents[0].paused_at", equalTo("2026-11-28T09:30:00.123456Z"));

        // Pausing again keeps when the agent was stopped and takes the new reason.
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        pause("research-bot", "{\"reason\":\"still looping\"}").statusCode(200)
                .body("paused_reason", equalTo("still looping"))
                .body("paused_at", equalTo("2026-11-28T09:30:00.123456Z"));

        resume("research-bot").statusCode(200)
                .body("paused", equalTo(false))
                .body("$", hasKey("paused_reason")).body("paused_reason", nullValue())
                .body("$", hasKey("paused_at")).body("paused_at", nullValue())
                .body("allowed", equalTo(true));
        resume("research-bot").statusCode(200).body("paused", equalTo(false));
        given().auth().oauth2(admin).get("/v1/agents").then().statusCode(200)
                .body("agents[0].paused", equalTo(false)).body("agents[0].paused_at", nullValue());
    }

    @Test
    void pauseNeedsNoBodyAndCreatesAnAgentThatHasNotReportedYet() {
        given().urlEncodingEnabled(false).auth().oauth2(admin).when().post("/v1/agents/Research%20Bot/pause").then().statusCode(200)
                .body("agent", equalTo("Research Bot"))
                .body("paused", equalTo(true))
                .body("paused_reason", nullValue());
        given().urlEncodingEnabled(false).auth().oauth2(admin).contentType("application/json").body("{}")
                .when().post("/v1/agents/worker%231/pause").then().statusCode(200)
                .body("agent", equalTo("worker#1")).body("paused", equalTo(true));
        assertEquals(2, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ? AND paused_at IS NOT NULL", org));
    }

    @Test
    void resumeOfAnAgentThatDoesNotExistIs404AndCreatesNothing() {
        resume("ghost").statusCode(404).contentType("application/problem+json").body("reason", equalTo("not_found"));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ?", org));
    }

    @Test
    void invalidReasonsAre422ListingEveryProblemAndPauseNothing() {
        pause("research-bot", "{\"reason\":\"bad\\u0000reason\",\"why\":1}").statusCode(422)
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", contains("reason", "why"));
        pause("research-bot", "{\"reason\":\"" + "x".repeat(501) + "\"}").statusCode(422)
                .body("errors.field", contains("reason"));
        pause("research-bot", "{\"reason\":\"\"}").statusCode(422);
        pause("research-bot", "{\"reason\":7}").statusCode(422);
        pause("research-bot", "[]").statusCode(422);
        pause("research-bot", "{").statusCode(400).body("reason", equalTo("malformed_json"));
        pause("bad%00name", "{}").statusCode(422);
        given().auth().oauth2(admin).contentType("text/plain").body("runaway")
                .post("/v1/agents/research-bot/pause").then().statusCode(415);
        pause("research-bot", "{\"reason\":\"" + "x".repeat(5000) + "\"}").statusCode(413);
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ?", org));
        pause("research-bot", "{\"reason\":\"" + "\u00e9".repeat(500) + "\"}").statusCode(200);
    }

    @Test
    void onlyAnAdminOfTheAgentsOrgMayPauseOrResume() {
        Fixtures.agent(org, "research-bot");
        given().auth().oauth2(Tokens.viewer(org)).contentType("application/json").body("{}")
                .post("/v1/agents/research-bot/pause").then().statusCode(403);
        given().auth().oauth2(Tokens.viewer(org)).post("/v1/agents/research-bot/resume").then().statusCode(403);
        given().auth().oauth2(Fixtures.apiKey(org)).contentType("application/json").body("{}")
                .post("/v1/agents/research-bot/pause").then().statusCode(403);
        given().contentType("application/json").body("{}").post("/v1/agents/research-bot/pause").then().statusCode(401);

        // Another org's admin pauses its own agent of the same name, never this one.
        String other = Tokens.newOrg();
        given().auth().oauth2(Tokens.admin(other)).contentType("application/json").body("{}")
                .post("/v1/agents/research-bot/pause").then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/agents/research-bot/budget").then().body("paused", equalTo(false));
        given().auth().oauth2(Tokens.admin(other)).post("/v1/agents/research-bot/resume").then().statusCode(200);
        pause("research-bot", "{}").statusCode(200);
        given().auth().oauth2(Tokens.admin(other)).post("/v1/agents/research-bot/resume").then().statusCode(200);
        given().auth().oauth2(admin).get("/v1/agents/research-bot/budget").then().body("paused", equalTo(true));
    }

    // ---- enforcement --------------------------------------------------------------------------

    @Test
    void aPausedAgentsReservationsAre429AgentPausedAndHoldNothingUntilResume() {
        String key = Fixtures.apiKey(org);
        Fixtures.agentBudget(org, "research-bot", "daily", "25");
        String held = reserve(key, "research-bot", "1", "before-pause").statusCode(201).extract().path("id");
        pause("research-bot", "{\"reason\":\"runaway loop\"}").statusCode(200);

        reserve(key, "research-bot", "1", "while-paused").statusCode(429)
                .contentType("application/problem+json")
                .body("reason", equalTo("agent_paused"))
                .body("agent", equalTo("research-bot"))
                .body("paused_reason", equalTo("runaway loop"))
                .body("paused_at", equalTo("2026-11-28T09:30:00.123456Z"))
                .header("Retry-After", nullValue());
        // Other agents of the org are not affected; a hold placed before the pause still commits.
        reserve(key, "support-agent", "1", "other-agent").statusCode(201);
        given().auth().oauth2(key).contentType("application/json").body("{\"cost\":0.5}")
                .post("/v1/reservations/" + held + "/commit").then().statusCode(200).body("status", equalTo("committed"));
        assertEquals(0, new java.math.BigDecimal("0.5").compareTo(
                Fixtures.spentAt(org, "agent", "research-bot", MutableClock.get().instant())));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id = ? AND idempotency_key = 'while-paused'", org));

        resume("research-bot").statusCode(200);
        // The refused key was not kept: the same request is admitted once the agent is resumed.
        reserve(key, "research-bot", "1", "while-paused").statusCode(201);
        noDrift();
    }

    @Test
    void aPausedAgentsIngestIsBookedAndAnswered429AgentPausedNamingOnlyThePausedAgent() {
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "100");
        pause("research-bot", "{\"reason\":\"runaway loop\"}").statusCode(200);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":0.25,\"idempotency_key\":\"p-1\"},"
                        + "{\"agent_name\":\"support-agent\",\"cost\":0.5,\"idempotency_key\":\"p-2\"}]}")
                .post("/v1/ingest").then().statusCode(429)
                .contentType("application/problem+json")
                .body("reason", equalTo("agent_paused"))
                .body("reasons", contains("agent_paused"))
                .body("recorded", equalTo(2))
                .body("rejected_agents", contains("research-bot"))
                .body("paused_agents[0].agent", equalTo("research-bot"))
                .body("paused_agents[0].paused_reason", equalTo("runaway loop"))
                .body("exhausted", empty())
                .header("Retry-After", nullValue());
        assertEquals(0, new java.math.BigDecimal("0.75").compareTo(
                Fixtures.spentAt(org, "org", null, MutableClock.get().instant())));
        // The unpaused agent alone is a 202.
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"support-agent\",\"cost\":0.5,\"idempotency_key\":\"p-3\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        resume("research-bot").statusCode(200);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":0.25,\"idempotency_key\":\"p-4\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        noDrift();
    }

    private ValidatableResponse reserve(String key, String agent, String amount, String idempotencyKey) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":" + amount + ",\"idempotency_key\":\"" + idempotencyKey + "\"}")
                .when().post("/v1/reservations").then();
    }

    private void noDrift() {
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }

    private ValidatableResponse pause(String agent, String body) {
        return given().urlEncodingEnabled(false).auth().oauth2(admin).contentType("application/json").body(body)
                .when().post("/v1/agents/" + agent + "/pause").then();
    }

    private ValidatableResponse resume(String agent) {
        return given().urlEncodingEnabled(false).auth().oauth2(admin).when().post("/v1/agents/" + agent + "/resume").then();
    }
}
