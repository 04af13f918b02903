package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The org's default budgets, made on an agent's first spend (ADR 0015). */
@QuarkusTest
class DefaultBudgetTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @Test
    void aDefaultBudgetAppearsForABrandNewAgentOnFirstIngestAndBinds() {
        setDefaults("{\"period\":\"daily\",\"limit_value\":20},"
                + "{\"budget_type\":\"requests\",\"period\":\"hourly\",\"limit_value\":100,\"timezone\":\"Asia/Kolkata\"}")
                .statusCode(200).body("default_budgets", hasSize(2));
        given().auth().oauth2(Tokens.viewer(org)).when().get("/v1/org/default-budgets").then().statusCode(200)
                .body("default_budgets.find { it.budget_type == 'cost' }.limit_value", equalTo(20.0f))
                .body("default_budgets.find { it.budget_type == 'requests' }.timezone", equalTo("Asia/Kolkata"));

        ingest("new-bot", "15", "e1").statusCode(202);
        given().auth().oauth2(admin).when().get("/v1/agents/new-bot/budget").then().statusCode(200)
                .body("binding", equalTo("agent:new-bot:daily"))
                .body("remaining", equalTo(5.0f))
                .body("budgets.find { it.key == 'agent:new-bot:daily' }.managed_by", equalTo("default"))
                .body("budgets.find { it.key == 'agent:new-bot:hourly:requests' }.spent", equalTo(1));
        ingest("new-bot", "6", "e2").statusCode(429).body("reasons", equalTo(List.of("agent_budget_exceeded")));
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"new-bot\",\"amount\":0.01}")
                .when().post("/v1/reservations").then().statusCode(429)
                .body("budget.key", equalTo("agent:new-bot:daily"));
        given().auth().oauth2(admin).when().get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    @Test
    void anAgentWithItsOwnBudgetOrOneRemovedGetsNoDefault() {
        setDefaults("{\"period\":\"daily\",\"limit_value\":1}").statusCode(200);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":50}]}")
                .when().put("/v1/agents/own-bot/budgets").then().statusCode(200);
        ingest("own-bot", "5", "o1").statusCode(202);
        ingest("gone-bot", "0.5", "g1").statusCode(202);
        given().auth().oauth2(admin).contentType("application/json").body("{\"budgets\":[]}")
                .when().put("/v1/agents/gone-bot/budgets").then().statusCode(200);
        // The template fills gaps; it does not undo a removal.
        ingest("gone-bot", "5", "g2").statusCode(202);
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM budget WHERE org_id = ? AND scope = 'agent'"
                + " AND name = 'own-bot'", org));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM budget WHERE org_id = ? AND name = 'gone-bot'"
                + " AND deleted_at IS NULL", org));
    }

    @Test
    void concurrentFirstSpendsMakeTheDefaultExactlyOnce() throws Exception {
        setDefaults("{\"period\":\"daily\",\"limit_value\":1000}").statusCode(200);
        int threads = 24;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < threads; i++) {
                String id = "c" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return ingest("racer", "0.25", id).extract().statusCode();
                }));
            }
            start.countDown();
            for (Future<Integer> answer : answers) {
                assertEquals(202, answer.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM budget WHERE org_id = ? AND name = 'racer'", org));
        assertEquals(0, new BigDecimal("6.00").compareTo(Fixtures.queryDecimal(
                "SELECT sum(w.spent) FROM budget_window w JOIN budget b ON b.id = w.budget_id"
                        + " WHERE b.org_id = ? AND b.name = 'racer'", org)));
        given().auth().oauth2(admin).when().get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    @Test
    void theFilesDefaultsBudgetIsTheTemplate() {
        RestAssured.config = RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", ContentType.TEXT));
        given().auth().oauth2(admin).contentType("application/yaml")
                .body("defaults:\n  budget: {type: monthly, limit: 40, timezone: Europe/Berlin}\nagents:\n  listed: {}\n")
                .when().put("/v1/config").then().statusCode(200);
        given().auth().oauth2(admin).when().get("/v1/org/default-budgets").then().statusCode(200)
                .body("default_budgets", hasSize(1))
                .body("default_budgets[0].period", equalTo("monthly"))
                .body("default_budgets[0].timezone", equalTo("Europe/Berlin"));
        ingest("unlisted", "1", "u1").statusCode(202);
        given().auth().oauth2(admin).when().get("/v1/agents/unlisted/budget").then()
                .body("budgets[0].key", equalTo("agent:unlisted:monthly"))
                .body("budgets[0].managed_by", equalTo("default"));
        given().auth().oauth2(admin).when().get("/v1/agents/listed/budget").then()
                .body("budgets[0].managed_by", equalTo("config"));
    }

    @Test
    void everyBadDefaultIsListedAndNothingChanges() {
        setDefaults("{\"period\":\"daily\",\"limit_value\":20}").statusCode(200);
        setDefaults("{\"budget_type\":\"gpu\",\"period\":\"weekly\",\"limit_value\":-1,\"timezone\":\"Moon/Base\"},"
                + "{\"budget_type\":\"tokens\",\"period\":\"daily\",\"limit_value\":2.5,\"extra\":1},"
                + "{\"period\":\"daily\",\"limit_value\":1},{\"period\":\"daily\",\"limit_value\":2}, 7")
                .statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("default_budgets[0].budget_type", "default_budgets[0].period",
                        "default_budgets[0].limit_value", "default_budgets[0].timezone",
                        "default_budgets[1].limit_value", "default_budgets[1].extra", "default_budgets[3].period",
                        "default_budgets[4]"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"default_budgets\":[" + "{\"period\":\"daily\",\"limit_value\":1},".repeat(21) + "{}]}")
                .when().put("/v1/org/default-budgets").then().statusCode(422);
        given().auth().oauth2(admin).when().get("/v1/org/default-budgets").then()
                .body("default_budgets", hasSize(1)).body("default_budgets[0].limit_value", equalTo(20.0f));
        given().auth().oauth2(Tokens.viewer(org)).contentType("application/json").body("{\"default_budgets\":[]}")
                .when().put("/v1/org/default-budgets").then().statusCode(403);
    }

    private ValidatableResponse setDefaults(String entries) {
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"default_budgets\":[" + entries + "]}")
                .when().put("/v1/org/default-budgets").then();
    }

    private ValidatableResponse ingest(String agent, String cost, String id) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"idempotency_key\":\""
                        + id + "\"}]}")
                .when().post("/v1/ingest").then();
    }
}
