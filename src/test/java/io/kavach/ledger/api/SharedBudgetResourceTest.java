package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
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
import org.junit.jupiter.api.Test;

@QuarkusTest
class SharedBudgetResourceTest {

    private static final String SEED_POOL =
            "{\"name\":\"engineering-pool\",\"period\":\"daily\",\"limit_value\":500,\"agents\":[\"support-agent\",\"research-bot\"]}";

    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void createReturnsStateWithSortedAgentsAndTheSeedKey() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        given().auth().oauth2(admin).contentType("application/json").body(SEED_POOL)
                .when().post("/v1/shared-budgets")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/v1/shared-budgets/engineering-pool"))
                .body("id", matchesPattern("[0-9a-f-]{36}"))
                .body("key", equalTo("shared:engineering-pool:daily"))
                .body("scope", equalTo("shared"))
                .body("name", equalTo("engineering-pool"))
                .body("budget_type", equalTo("cost"))
                .body("limit_value", equalTo(500.0f))
                .body("remaining", equalTo(500.0f))
                .body("window_start", equalTo("2026-11-28T00:00:00Z"))
                .body("window_end", equalTo("2026-11-29T00:00:00Z"))
                .body("agents", contains("research-bot", "support-agent"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().statusCode(200).body("agents", contains("research-bot", "support-agent"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets")
                .then().statusCode(200)
                .body("shared_budgets", hasSize(1))
                .body("shared_budgets[0].key", equalTo("shared:engineering-pool:daily"));
    }

    @Test
    void poolMayStartEmptyAndMembersAreAddedAndRemovedOneByOne() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"p1\",\"period\":\"monthly\",\"limit_value\":10,\"agents\":[]}")
                .when().post("/v1/shared-budgets").then().statusCode(201).body("agents", empty());
        given().auth().oauth2(admin).when().put("/v1/shared-budgets/p1/agents/bot-b").then().statusCode(204);
        given().auth().oauth2(admin).when().put("/v1/shared-budgets/p1/agents/bot-a").then().statusCode(204);
        given().auth().oauth2(admin).when().put("/v1/shared-budgets/p1/agents/bot-a").then().statusCode(204);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/p1").then().body("agents", contains("bot-a", "bot-b"));
        given().auth().oauth2(admin).when().delete("/v1/shared-budgets/p1/agents/bot-b").then().statusCode(204);
        given().auth().oauth2(admin).when().delete("/v1/shared-budgets/p1/agents/never-member").then().statusCode(204);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/p1").then().body("agents", contains("bot-a"));
        // A member sees the pool among its applicable budgets at once.
        given().auth().oauth2(admin).when().get("/v1/agents/bot-a/budget")
                .then().statusCode(200).body("budgets.key", contains("shared:p1:monthly"));
        given().auth().oauth2(admin).when().put("/v1/shared-budgets/missing/agents/bot-a").then().statusCode(404);
        given().urlEncodingEnabled(false).auth().oauth2(admin).when().put("/v1/shared-budgets/p1/agents/bad%09name")
                .then().statusCode(422).body("errors[0].field", equalTo("agent"));
    }

    @Test
    void putReplacesLimitAndMembersKeepingCounters() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        String id = create(SEED_POOL);
        TestSql.setCounters(dataSource, id, "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "12.5", "0.75");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"limit_value\":600,\"agents\":[\"research-bot\",\"new-bot\"],\"period\":\"daily\"}")
                .when().put("/v1/shared-budgets/engineering-pool")
                .then().statusCode(200)
                .body("id", equalTo(id))
                .body("limit_value", equalTo(600.0f))
                .body("spent", equalTo(12.5f))
                .body("reserved", equalTo(0.75f))
                .body("remaining", equalTo(586.75f))
                .body("agents", contains("new-bot", "research-bot"));
        assertEquals(0, new BigDecimal("600").compareTo(
                TestSql.windowValue(dataSource, id, "2026-11-28T00:00:00Z", "limit_value")));
        given().auth().oauth2(admin).when().get("/v1/agents/support-agent/budget")
                .then().statusCode(200).body("budgets", empty());
    }

    @Test
    void periodCannotChangeAndPutNeedsLimitAndAgents() {
        create(SEED_POOL);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"limit_value\":600,\"agents\":[],\"period\":\"monthly\"}")
                .when().put("/v1/shared-budgets/engineering-pool")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("period"))
                .body("errors[0].message", containsString("cannot change"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"limit\":600}")
                .when().put("/v1/shared-budgets/engineering-pool")
                .then().statusCode(422).body("errors.field", containsInAnyOrder("limit_value", "agents", "limit"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().body("limit_value", equalTo(500.0f)).body("period", equalTo("daily"));
    }

    @Test
    void nameAndPeriodRulesAre422ListingEveryError() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"bad name!\",\"period\":\"weekly\",\"limit_value\":0,\"budget_type\":\"gpu_seconds\","
                        + "\"agents\":[\"ok\",\"no\\u0000nul\",7],\"extra\":1}")
                .when().post("/v1/shared-budgets")
                .then().statusCode(422).contentType("application/problem+json")
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder("name", "period", "limit_value", "budget_type",
                        "agents[1]", "agents[2]", "extra"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"" + "p".repeat(65) + "\",\"period\":\"daily\",\"limit_value\":1e13}")
                .when().post("/v1/shared-budgets")
                .then().statusCode(422).body("errors.field", containsInAnyOrder("name", "limit_value"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets").then().body("shared_budgets", empty());
    }

    @Test
    void duplicatePoolNameIs409EvenWithAnotherPeriod() {
        create(SEED_POOL);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"engineering-pool\",\"period\":\"monthly\",\"limit_value\":50}")
                .when().post("/v1/shared-budgets")
                .then().statusCode(409).contentType("application/problem+json")
                .body("reason", equalTo("shared_budget_already_exists"))
                .body("name", equalTo("engineering-pool"));
    }

    @Test
    void deleteIsSoftAndFreesTheName() {
        String id = create(SEED_POOL);
        TestSql.setCounters(dataSource, id, "2026-11-28T00:00:00Z", "2026-11-29T00:00:00Z", "3", "0");
        given().auth().oauth2(admin).when().delete("/v1/shared-budgets/engineering-pool").then().statusCode(204);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        given().auth().oauth2(admin).when().delete("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        given().auth().oauth2(admin).when().get("/v1/agents/research-bot/budget").then().body("budgets", empty());
        // History stays: the old window is still there.
        assertEquals(0, new BigDecimal("3").compareTo(
                TestSql.windowValue(dataSource, id, "2026-11-28T00:00:00Z", "spent")));
        // Re-created, the same key comes back with its windows: removing and re-adding cannot reset spend.
        String again = create(SEED_POOL);
        assertEquals(id, again);
    }

    @Test
    void anotherOrgsPoolIs404AndInvisible() {
        create(SEED_POOL);
        String other = Tokens.admin(Tokens.newOrg());
        given().auth().oauth2(other).when().get("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"limit_value\":1,\"agents\":[]}")
                .when().put("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        given().auth().oauth2(other).when().delete("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        given().auth().oauth2(other).when().put("/v1/shared-budgets/engineering-pool/agents/x").then().statusCode(404);
        given().auth().oauth2(other).when().delete("/v1/shared-budgets/engineering-pool/agents/research-bot").then().statusCode(404);
        given().auth().oauth2(other).when().get("/v1/shared-budgets").then().statusCode(200).body("shared_budgets", empty());
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().statusCode(200).body("agents", contains("research-bot", "support-agent"));
    }

    @Test
    void viewerReadsButCannotWriteAndSdkKeyIsForbidden() {
        create(SEED_POOL);
        String viewer = Tokens.viewer(org);
        given().auth().oauth2(viewer).when().get("/v1/shared-budgets").then().statusCode(200).body("shared_budgets", hasSize(1));
        given().auth().oauth2(viewer).when().get("/v1/shared-budgets/engineering-pool").then().statusCode(200);
        String key = TestSql.sdkKey(dataSource, org);
        for (String token : new String[] {viewer, key}) {
            given().auth().oauth2(token).contentType("application/json").body("{\"name\":\"x\",\"period\":\"daily\",\"limit_value\":5}")
                    .when().post("/v1/shared-budgets").then().statusCode(403).body("reason", equalTo("forbidden"));
            given().auth().oauth2(token).contentType("application/json").body("{\"limit_value\":5,\"agents\":[]}")
                    .when().put("/v1/shared-budgets/engineering-pool").then().statusCode(403);
            given().auth().oauth2(token).when().delete("/v1/shared-budgets/engineering-pool").then().statusCode(403);
            given().auth().oauth2(token).when().put("/v1/shared-budgets/engineering-pool/agents/a").then().statusCode(403);
            given().auth().oauth2(token).when().delete("/v1/shared-budgets/engineering-pool/agents/research-bot").then().statusCode(403);
        }
        given().auth().oauth2(key).when().get("/v1/shared-budgets").then().statusCode(403);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().body("limit_value", equalTo(500.0f)).body("agents", hasSize(2));
    }

    @Test
    void withoutCredentialsEveryPoolEndpointIs401() {
        given().when().get("/v1/shared-budgets").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        given().when().get("/v1/shared-budgets/p").then().statusCode(401);
        given().contentType("application/json").body(SEED_POOL).when().post("/v1/shared-budgets").then().statusCode(401);
        given().contentType("application/json").body("{}").when().put("/v1/shared-budgets/p").then().statusCode(401);
        given().when().delete("/v1/shared-budgets/p").then().statusCode(401);
        given().when().put("/v1/shared-budgets/p/agents/a").then().statusCode(401);
        given().when().delete("/v1/shared-budgets/p/agents/a").then().statusCode(401);
        given().auth().oauth2(Tokens.expired(org)).when().get("/v1/shared-budgets").then().statusCode(401);
    }

    private String create(String body) {
        return given().auth().oauth2(admin).contentType("application/json").body(body)
                .when().post("/v1/shared-budgets")
                .then().statusCode(201).extract().path("id");
    }
}
