package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Token, input/output token and request budgets beside cost budgets, and model filters (ADR 0015). */
@QuarkusTest
class BudgetTypesTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @Test
    void aTokenBudgetRefusesWhatWouldExceedItWhileTheCostBudgetHasRoom() {
        orgBudget("{\"period\":\"daily\",\"limit_value\":100}").statusCode(201);
        agentBudgets("bot", "{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":5000}").statusCode(200);

        // The binding budget of the answer is the one with the least share of its limit left.
        reserve("bot", "{\"amount\":0.05,\"tokens\":4000}").statusCode(201)
                .header("RateLimit-Policy", "\"agent:bot:daily:tokens\";q=5000;qu=\"tokens\";w=86400")
                .header("RateLimit", startsWith("\"agent:bot:daily:tokens\";r=1000;t="))
                .body("held_tokens", equalTo(4000))
                .body("budgets.find { it.key == 'agent:bot:daily:tokens' }.reserved", equalTo(4000))
                .body("budgets.find { it.key == 'org:daily' }.reserved", equalTo(0.05f));
        reserve("bot", "{\"amount\":0.05,\"tokens\":2000}").statusCode(429)
                .body("reason", equalTo("agent_budget_exceeded"))
                .body("budget.key", equalTo("agent:bot:daily:tokens"))
                .body("budget.budget_type", equalTo("tokens"))
                .body("budget.remaining", equalTo(1000))
                .header("RateLimit", startsWith("\"agent:bot:daily:tokens\";r=1000;t="));
        reserve("bot", "{\"amount\":0.05,\"tokens\":1000}").statusCode(201);
        // Exhausted: a reservation that states no tokens is refused too.
        reserve("bot", "{\"amount\":0.05}").statusCode(429).body("budget.key", equalTo("agent:bot:daily:tokens"));
        audit();
    }

    @Test
    void aCostBudgetRefusesWhileTheTokenBudgetHasRoom() {
        orgBudget("{\"period\":\"daily\",\"limit_value\":0.06}").statusCode(201);
        orgBudget("{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":1000000}").statusCode(201);
        reserve("bot", "{\"amount\":0.05,\"tokens\":10}").statusCode(201);
        reserve("bot", "{\"amount\":0.05,\"tokens\":10}").statusCode(429)
                .body("reason", equalTo("org_budget_exceeded"))
                .body("budget.key", equalTo("org:daily"));
        audit();
    }

    @Test
    void commitAndIngestBookEveryTypeInItsOwnUnit() {
        agentBudgets("bot", "{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":100000}",
                "{\"budget_type\":\"input_tokens\",\"period\":\"daily\",\"limit_value\":100000}",
                "{\"budget_type\":\"output_tokens\",\"period\":\"daily\",\"limit_value\":100000}",
                "{\"budget_type\":\"requests\",\"period\":\"hourly\",\"limit_value\":100}",
                "{\"period\":\"daily\",\"limit_value\":10}").statusCode(200);
        String id = reserve("bot", "{\"amount\":0.05,\"input_tokens\":1000,\"output_tokens\":500}").statusCode(201)
                .body("budgets.find { it.key == 'agent:bot:daily:tokens' }.reserved", equalTo(1500))
                .body("budgets.find { it.key == 'agent:bot:hourly:requests' }.reserved", equalTo(1))
                .extract().path("id");
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"cost\":0.031,\"input_tokens\":1200,\"output_tokens\":340}")
                .when().post("/v1/reservations/" + id + "/commit").then().statusCode(200);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"bot\",\"cost\":0.02,\"input_tokens\":900,\"output_tokens\":200,"
                        + "\"idempotency_key\":\"e1\"}]}")
                .when().post("/v1/ingest").then().statusCode(202);
        var state = given().auth().oauth2(admin).when().get("/v1/agents/bot/budget")
                .then().statusCode(200).body("allowed", equalTo(true)).extract().jsonPath();
        assertEquals(2640, state.getInt("budgets.find { it.key == 'agent:bot:daily:tokens' }.spent"));
        assertEquals(2100, state.getInt("budgets.find { it.key == 'agent:bot:daily:input_tokens' }.spent"));
        assertEquals(540, state.getInt("budgets.find { it.key == 'agent:bot:daily:output_tokens' }.spent"));
        assertEquals(2, state.getInt("budgets.find { it.key == 'agent:bot:hourly:requests' }.spent"));
        assertEquals(0, state.getInt("budgets.find { it.key == 'agent:bot:hourly:requests' }.reserved"));
        assertEquals(0.051f, state.getFloat("budgets.find { it.key == 'agent:bot:daily' }.spent"));
        audit();
    }

    @Test
    void aRequestsBudgetOf3AdmitsExactly3Of50ConcurrentReservations() throws Exception {
        orgBudget("{\"budget_type\":\"requests\",\"period\":\"hourly\",\"limit_value\":3}").statusCode(201);
        int threads = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                String agent = "crawler-" + (i % 5);
                answers.add(pool.submit(() -> {
                    start.await();
                    return reserve(agent, "{\"amount\":0.01}").extract().statusCode();
                }));
            }
            start.countDown();
            int admitted = 0;
            int refused = 0;
            for (Future<Integer> answer : answers) {
                int status = answer.get();
                admitted += status == 201 ? 1 : 0;
                refused += status == 429 ? 1 : 0;
            }
            assertEquals(3, admitted);
            assertEquals(47, refused);
        } finally {
            pool.shutdownNow();
        }
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().statusCode(200)
                .body("budgets[0].reserved", equalTo(3)).body("budgets[0].remaining", equalTo(0));
        audit();
    }

    @Test
    void aModelFilteredBudgetCountsOnlyThatModel() {
        orgBudget("{\"budget_type\":\"output_tokens\",\"model\":\"gpt-4o\",\"period\":\"daily\",\"limit_value\":1000}")
                .statusCode(201).body("key", equalTo("org:daily:output_tokens:model=gpt-4o"))
                .body("model", equalTo("gpt-4o"));
        ingest("bot", "claude-sonnet-4", 5000, "a").statusCode(202);
        ingest("bot", "gpt-4o", 1000, "b").statusCode(429).body("exhausted[0].key",
                equalTo("org:daily:output_tokens:model=gpt-4o"));
        // The gpt-4o budget stops gpt-4o calls, not the agent's other calls.
        reserve("bot", "{\"amount\":0.01,\"model\":\"gpt-4o\"}").statusCode(429);
        reserve("bot", "{\"amount\":0.01,\"model\":\"claude-sonnet-4\"}").statusCode(201);
        ingest("bot", "claude-sonnet-4", 5, "c").statusCode(202);
        given().auth().oauth2(admin).when().get("/v1/agents/bot/budget").then().statusCode(200)
                .body("allowed", equalTo(true));
        audit();
    }

    @Test
    void everyBadTypeFieldIsListedAndNothingIsCreated() {
        orgBudget("{\"budget_type\":\"gpu_seconds\",\"period\":\"daily\",\"limit_value\":5,\"model\":\"\","
                + "\"provider\":\"" + "p".repeat(257) + "\"}")
                .statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("budget_type", "model", "provider"));
        orgBudget("{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":1.5}")
                .statusCode(422).body("errors.field", containsInAnyOrder("limit_value"));
        agentBudgets("bot", "{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":5}",
                "{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":6}").statusCode(422)
                .body("errors.field", containsInAnyOrder("budgets[1].period"));
        reserve("bot", "{\"amount\":0.01,\"tokens\":-1,\"input_tokens\":\"x\",\"output_tokens\":1e13}")
                .statusCode(422).body("errors.field", containsInAnyOrder("tokens", "input_tokens", "output_tokens"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", hasSize(0));
    }

    private ValidatableResponse orgBudget(String body) {
        return given().auth().oauth2(admin).contentType("application/json").body(body)
                .when().post("/v1/org/budgets").then();
    }

    private ValidatableResponse agentBudgets(String agent, String... budgets) {
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[" + String.join(",", budgets) + "]}")
                .when().put("/v1/agents/" + agent + "/budgets").then();
    }

    private ValidatableResponse reserve(String agent, String fields) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\"," + fields.substring(1))
                .when().post("/v1/reservations").then();
    }

    private ValidatableResponse ingest(String agent, String model, long outputTokens, String id) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"model\":\"" + model + "\",\"cost\":0.01,"
                        + "\"output_tokens\":" + outputTokens + ",\"idempotency_key\":\"" + id + "\"}]}")
                .when().post("/v1/ingest").then();
    }

    private void audit() {
        given().auth().oauth2(admin).when().get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }
}
