package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.TestSql;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AgentResourceTest {

    private static final String DAY = "2026-11-28T00:00:00Z";
    private static final String NEXT_DAY = "2026-11-29T00:00:00Z";

    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void budgetReadNamesTheTightestApplicableBudget() {
        String orgBudget = post("/v1/org/budgets", "{\"period\":\"daily\",\"limit_value\":100}");
        String pool = post("/v1/shared-budgets",
                "{\"name\":\"engineering-pool\",\"period\":\"daily\",\"limit_value\":500,\"agents\":[\"research-bot\"]}");
        putOwn("research-bot", "{\"budgets\":[{\"period\":\"daily\",\"limit_value\":25}]}");
        TestSql.setCounters(dataSource, pool, DAY, NEXT_DAY, "490", "0");
        TestSql.setCounters(dataSource, orgBudget, DAY, NEXT_DAY, "10", "0");

        given().auth().oauth2(admin).when().get("/v1/agents/research-bot/budget")
                .then().statusCode(200)
                .body("agent", equalTo("research-bot"))
                .body("allowed", equalTo(true))
                .body("remaining", equalTo(10.0f))
                .body("binding", equalTo("shared:engineering-pool:daily"))
                .body("budgets.key", contains("org:daily", "shared:engineering-pool:daily", "agent:research-bot:daily"));

        TestSql.setCounters(dataSource, pool, DAY, NEXT_DAY, "500", "0.5");
        given().auth().oauth2(admin).when().get("/v1/agents/research-bot/budget")
                .then().statusCode(200)
                .body("allowed", equalTo(false))
                .body("remaining", equalTo(-0.5f))
                .body("binding", equalTo("shared:engineering-pool:daily"));
    }

    @Test
    void unknownAgentGetsOrgBudgetsOnlyAndIsNotCreated() {
        given().auth().oauth2(admin).when().get("/v1/agents/ghost/budget")
                .then().statusCode(200)
                .body("agent", equalTo("ghost"))
                .body("allowed", equalTo(true))
                .body("$", hasKey("remaining"))
                .body("remaining", nullValue())
                .body("$", hasKey("binding"))
                .body("binding", nullValue())
                .body("budgets", empty());
        post("/v1/org/budgets", "{\"period\":\"monthly\",\"limit_value\":1000}");
        long agentsBefore = TestSql.agentRows(dataSource, org);
        given().auth().oauth2(admin).when().get("/v1/agents/ghost/budget")
                .then().statusCode(200)
                .body("remaining", equalTo(1000.0f))
                .body("binding", equalTo("org:monthly"))
                .body("budgets.key", contains("org:monthly"));
        assertEquals(agentsBefore, TestSql.agentRows(dataSource, org));
        given().urlEncodingEnabled(false).auth().oauth2(admin).when().get("/v1/agents/bad%E2%80%AEname/budget").then().statusCode(422);
    }

    @Test
    void sdkKeyAndViewerMayReadTheBudgetButNotManageAgents() {
        putOwn("bot", "{\"budgets\":[{\"period\":\"total\",\"limit_value\":5}]}");
        String key = TestSql.sdkKey(dataSource, org);
        given().auth().oauth2(key).when().get("/v1/agents/bot/budget")
                .then().statusCode(200).body("binding", equalTo("agent:bot:total"));
        given().auth().oauth2(Tokens.viewer(org)).when().get("/v1/agents/bot/budget").then().statusCode(200);
        given().auth().oauth2(Tokens.viewer(org)).when().get("/v1/agents").then().statusCode(200);
        given().auth().oauth2(key).when().get("/v1/agents").then().statusCode(403);
        for (String token : new String[] {key, Tokens.viewer(org)}) {
            given().auth().oauth2(token).contentType("application/json").body("{\"budgets\":[]}")
                    .when().put("/v1/agents/bot/budgets").then().statusCode(403).body("reason", equalTo("forbidden"));
        }
        given().auth().oauth2(admin).when().get("/v1/agents/bot/budget").then().body("budgets", hasSize(1));
        given().when().get("/v1/agents/bot/budget").then().statusCode(401);
        given().when().get("/v1/agents").then().statusCode(401);
        given().contentType("application/json").body("{\"budgets\":[]}").when().put("/v1/agents/bot/budgets").then().statusCode(401);
    }

    @Test
    void putReplacesOwnBudgetsKeepingCountersOfPeriodsThatStay() {
        String first = putOwn("bot", "{\"budgets\":[{\"period\":\"daily\",\"limit_value\":25},{\"period\":\"monthly\",\"limit_value\":300}]}");
        TestSql.setCounters(dataSource, first, DAY, NEXT_DAY, "7.25", "1");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"total\",\"limit_value\":1000},{\"period\":\"daily\",\"limit_value\":30,\"budget_type\":\"cost\"}]}")
                .when().put("/v1/agents/bot/budgets")
                .then().statusCode(200)
                .body("agent", equalTo("bot"))
                .body("budgets.key", contains("agent:bot:daily", "agent:bot:total"))
                .body("budgets[0].id", equalTo(first))
                .body("budgets[0].limit_value", equalTo(30.0f))
                .body("budgets[0].spent", equalTo(7.25f))
                .body("budgets[0].reserved", equalTo(1.0f))
                .body("budgets[0].remaining", equalTo(21.75f));
        assertEquals(0, new java.math.BigDecimal("30").compareTo(TestSql.windowValue(dataSource, first, DAY, "limit_value")));
        given().auth().oauth2(admin).contentType("application/json").body("{\"budgets\":[]}")
                .when().put("/v1/agents/bot/budgets").then().statusCode(200).body("budgets", empty());
        given().auth().oauth2(admin).when().get("/v1/agents/bot/budget").then().body("budgets", empty());
    }

    @Test
    void invalidOwnBudgetsAre422ListingEveryError() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":5},{\"period\":\"daily\",\"limit_value\":6},"
                        + "{\"period\":\"weekly\",\"limit_value\":0,\"x\":1}],\"y\":2}")
                .when().put("/v1/agents/bot/budgets")
                .then().statusCode(422)
                .body("errors.field", containsInAnyOrder("budgets[1].period", "budgets[2].period",
                        "budgets[2].limit_value", "budgets[2].x", "y"));
        given().auth().oauth2(admin).contentType("application/json").body("{}")
                .when().put("/v1/agents/bot/budgets").then().statusCode(422).body("errors[0].field", equalTo("budgets"));
        given().urlEncodingEnabled(false).auth().oauth2(admin).contentType("application/json").body("{\"budgets\":[]}")
                .when().put("/v1/agents/bad%00name/budgets").then().statusCode(422);
        assertEquals(0, TestSql.agentRows(dataSource, org));
    }

    @Test
    void listShowsEveryAgentWithApplicableBudgetsPageByPage() {
        post("/v1/org/budgets", "{\"period\":\"daily\",\"limit_value\":100}");
        post("/v1/shared-budgets", "{\"name\":\"p\",\"period\":\"daily\",\"limit_value\":50,\"agents\":[\"b-bot\",\"c-bot\"]}");
        putOwn("a-bot", "{\"budgets\":[{\"period\":\"daily\",\"limit_value\":5}]}");
        given().auth().oauth2(admin).when().get("/v1/agents")
                .then().statusCode(200)
                .body("has_more", equalTo(false))
                .body("agents.name", contains("a-bot", "b-bot", "c-bot"))
                .body("agents[0].budgets.key", contains("org:daily", "agent:a-bot:daily"))
                .body("agents[1].budgets.key", contains("org:daily", "shared:p:daily"));
        given().auth().oauth2(admin).queryParam("limit", 2).when().get("/v1/agents")
                .then().statusCode(200).body("has_more", equalTo(true)).body("agents.name", contains("a-bot", "b-bot"));
        given().auth().oauth2(admin).queryParam("limit", 2).queryParam("starting_after", "b-bot").when().get("/v1/agents")
                .then().statusCode(200).body("has_more", equalTo(false)).body("agents.name", contains("c-bot"));
        given().auth().oauth2(admin).queryParam("limit", 0).queryParam("starting_after", "no\u202eway").when().get("/v1/agents")
                .then().statusCode(422).body("errors.field", containsInAnyOrder("limit", "starting_after"));
        given().auth().oauth2(admin).queryParam("limit", 1001).when().get("/v1/agents").then().statusCode(422);
    }

    @Test
    void anotherOrgSeesNoneOfTheseAgentsOrBudgets() {
        post("/v1/shared-budgets", "{\"name\":\"p\",\"period\":\"daily\",\"limit_value\":50,\"agents\":[\"bot\"]}");
        putOwn("bot", "{\"budgets\":[{\"period\":\"daily\",\"limit_value\":5}]}");
        String other = Tokens.admin(Tokens.newOrg());
        given().auth().oauth2(other).when().get("/v1/agents").then().statusCode(200).body("agents", empty());
        given().auth().oauth2(other).when().get("/v1/agents/bot/budget")
                .then().statusCode(200).body("budgets", empty()).body("remaining", nullValue());
        // Writing under the same name creates the other org's own agent and leaves ours alone.
        given().auth().oauth2(other).contentType("application/json").body("{\"budgets\":[]}")
                .when().put("/v1/agents/bot/budgets").then().statusCode(200);
        given().auth().oauth2(admin).when().get("/v1/agents/bot/budget")
                .then().body("budgets.key", contains("shared:p:daily", "agent:bot:daily"));
    }

    private String post(String path, String body) {
        return given().auth().oauth2(admin).contentType("application/json").body(body)
                .when().post(path).then().statusCode(201).extract().path("id");
    }

    /** Replaces the agent's own budgets; returns the id of the first one. */
    private String putOwn(String agent, String body) {
        return given().auth().oauth2(admin).contentType("application/json").body(body)
                .when().put("/v1/agents/" + agent + "/budgets").then().statusCode(200).extract().path("budgets[0].id");
    }
}
