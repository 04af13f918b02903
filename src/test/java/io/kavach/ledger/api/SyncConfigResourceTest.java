package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.TestSql;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class SyncConfigResourceTest {

    /** What the AgentKavach SDK sends at start-up, with fields this endpoint does not use. */
    private static final String SDK_PAYLOAD = """
            {"agent_name": "research-bot",
             "sdk_version": "0.1.0", "provider": "openai",
             "budgets": [
               {"budget_type": "cost", "period": "daily", "limit_value": 25.0, "unit": "usd"},
               {"budget_type": "tokens", "period": "per_run", "limit_value": 100000, "unit": "tokens"},
               {"budget_type": "tokens", "period": "daily", "limit_value": 5000000, "unit": "tokens"}
             ],
             "alert_configs": [{"channel": "team-slack", "threshold": 0.8}, {"channel": "kill", "threshold": 1.0}],
             "org_budget": {"budget_type": "cost", "period": "daily", "limit_value": 100.0, "unit": "usd"},
             "org_alert_configs": [{"channel": "oncall", "threshold": 0.9}]}
            """;

    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private String key;

    @BeforeEach
    void setUp() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        key = TestSql.sdkKey(dataSource, org);
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void sdkPayloadCreatesOwnAndOrgBudgetsAndStoresTheRest() {
        given().auth().oauth2(key).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config")
                .then().statusCode(200)
                .body("agent_name", equalTo("research-bot"))
                .body("budgets.key", contains("agent:research-bot:daily"))
                .body("budgets[0].limit_value", equalTo(25.0f))
                .body("changes.key", containsInAnyOrder("agent:research-bot:daily", "org:daily"))
                .body("changes.action", contains("create", "create"))
                .body("org_budget.key", equalTo("org:daily"))
                .body("org_budget.action", equalTo("created"))
                .body("stored.guardrails", equalTo(1))
                .body("stored.alert_configs", equalTo(2))
                .body("stored.org_alert_configs", equalTo(1))
                .body("stored.unenforced_budgets", equalTo(1));
        given().auth().oauth2(admin).when().get("/v1/agents")
                .then().statusCode(200)
                .body("agents[0].name", equalTo("research-bot"))
                .body("agents[0].budgets.key", contains("org:daily", "agent:research-bot:daily"))
                .body("agents[0].sdk_config.guardrails[0].period", equalTo("per_run"))
                .body("agents[0].sdk_config.alert_configs", hasSize(2))
                .body("agents[0].sdk_config.org_alert_configs[0].channel", equalTo("oncall"));
    }

    @Test
    void aKeyNeverRaisesAnAdminsCapsButMayTightenThem() {
        given().auth().oauth2(admin).contentType("application/json").body("{\"period\":\"daily\",\"limit_value\":50}")
                .when().post("/v1/org/budgets").then().statusCode(201);
        String own = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":10},{\"period\":\"monthly\",\"limit_value\":90}]}")
                .when().put("/v1/agents/research-bot/budgets").then().statusCode(200).extract().path("budgets[0].id");
        TestSql.setCounters(dataSource, own, "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "4", "0");

        // The SDK asks daily 25 (looser than the admin's 10) and an org budget of 100 (the admin's is 50).
        given().auth().oauth2(key).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config")
                .then().statusCode(200)
                .body("org_budget.action", equalTo("kept_existing"))
                .body("changes", empty())
                .body("applied", empty())
                .body("kept.key", contains("agent:research-bot:daily", "org:daily"))
                .body("kept[0].limit_value", equalTo(10.0f))
                .body("kept[0].requested", equalTo(25.0f))
                .body("kept[1].limit_value", equalTo(50.0f))
                .body("kept[1].requested", equalTo(100.0f))
                .body("budgets.key", contains("agent:research-bot:daily", "agent:research-bot:monthly"))
                .body("budgets[0].id", equalTo(own))
                .body("budgets[0].limit_value", equalTo(10.0f))
                .body("budgets[0].managed_by", equalTo("api"))
                .body("budgets[0].spent", equalTo(4.0f));
        given().auth().oauth2(admin).when().get("/v1/org/budgets")
                .then().body("budgets", hasSize(1)).body("budgets[0].limit_value", equalTo(50.0f));

        // Tighter than the admin's: applied, in place (counters kept), and now the SDK's.
        given().auth().oauth2(key).contentType("application/json").body(SDK_PAYLOAD.replace("25.0", "7.5"))
                .when().post("/v1/sync-config")
                .then().statusCode(200)
                .body("changes", hasSize(1))
                .body("changes[0].action", equalTo("update"))
                .body("changes[0].from.limit_value", equalTo(10.0f))
                .body("changes[0].to.limit_value", equalTo(7.5f))
                .body("applied.key", contains("agent:research-bot:daily"))
                .body("applied[0].limit_value", equalTo(7.5f))
                .body("budgets[0].id", equalTo(own))
                .body("budgets[0].managed_by", equalTo("sdk"))
                .body("budgets[0].spent", equalTo(4.0f));
        assertEquals(0, new BigDecimal("4").compareTo(
                TestSql.windowValue(dataSource, own, "2026-11-28T00:00:00Z", "spent")));

        // Same payload again: nothing left to change.
        given().auth().oauth2(key).contentType("application/json").body(SDK_PAYLOAD.replace("25.0", "7.5"))
                .when().post("/v1/sync-config").then().statusCode(200).body("changes", empty());
    }

    /** Issue 10, case 4: admin sets agent rb daily 25; a sync asking 1,000,000 leaves 25. */
    @Test
    void syncConfigCannotRaiseAnAdminsAgentCap() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":25}]}")
                .when().put("/v1/agents/rb/budgets").then().statusCode(200);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"rb\",\"budgets\":[{\"budget_type\":\"cost\",\"period\":\"daily\","
                        + "\"limit_value\":1000000,\"unit\":\"usd\"}]}")
                .when().post("/v1/sync-config")
                .then().statusCode(200)
                .body("kept[0].key", equalTo("agent:rb:daily"))
                .body("kept[0].limit_value", equalTo(25.0f))
                .body("kept[0].requested", equalTo(1000000.0f))
                .body("kept[0].reason", equalTo("an API key may not raise a limit"));
        given().auth().oauth2(admin).when().get("/v1/agents/rb/budget")
                .then().statusCode(200).body("budgets[0].key", equalTo("agent:rb:daily"))
                .body("budgets[0].limit_value", equalTo(25.0f));
    }

    @Test
    void invalidFieldsThatAreUsedAre422ListingEveryError() {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"budgets\":[{\"budget_type\":\"cost\",\"period\":\"daily\",\"limit_value\":0},"
                        + "{\"period\":\"daily\",\"limit_value\":-1},{\"limit_value\":3}, 7],"
                        + "\"alert_configs\":{},\"org_budget\":{\"period\":\"weekly\",\"limit_value\":\"x\"}}")
                .when().post("/v1/sync-config")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("agent_name", "budgets[0].limit_value", "budgets[1].limit_value",
                        "budgets[2].period", "budgets[3]", "alert_configs", "org_budget.period", "org_budget.limit_value"));
        assertEquals(0, TestSql.budgetRows(dataSource, org));
    }

    @Test
    void numbersJsonbWouldExpandToHundredsOfDigitsAre422() {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"budgets\":[],\"alert_configs\":[{\"threshold\":1e309}]}")
                .when().post("/v1/sync-config").then().statusCode(422)
                .body("errors.field", hasItem("alert_configs[0].threshold"));
        given().auth().oauth2(admin).when().get("/v1/agents").then().statusCode(200);
    }

    @Test
    void onlyAnSdkKeyMaySyncAndOnlyIntoItsOwnOrg() {
        given().auth().oauth2(admin).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config").then().statusCode(403).body("reason", equalTo("forbidden"));
        given().auth().oauth2(Tokens.viewer(org)).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config").then().statusCode(403);
        given().contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config").then().statusCode(401);
        given().auth().oauth2("ak_dev_" + "x".repeat(32)).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config").then().statusCode(401);
        String otherOrg = Tokens.newOrg();
        given().auth().oauth2(TestSql.sdkKey(dataSource, otherOrg)).contentType("application/json").body(SDK_PAYLOAD)
                .when().post("/v1/sync-config").then().statusCode(200).body("org_budget.action", equalTo("created"));
        assertEquals(0, TestSql.budgetRows(dataSource, org));
        given().auth().oauth2(admin).when().get("/v1/agents/research-bot/budget")
                .then().body("budgets", empty()).body("remaining", nullValue());
    }
}
