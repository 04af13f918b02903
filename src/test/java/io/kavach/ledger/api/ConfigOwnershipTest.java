package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.TestSql;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: a config file removes only what it owns. Budgets set through the API or by an SDK
 * survive an apply that does not mention them (listed as unmanaged), {@code ?prune=all} removes
 * them (previewed first), a mentioned one is adopted, and remove-then-re-add keeps the spend.
 * The audit finds no drift after each.
 */
@QuarkusTest
class ConfigOwnershipTest {

    /** The README's three-line file: one shared pool. */
    private static final String README_YAML = """
            # agentkavach.yaml
            shared_budgets:
              engineering-pool:
                limit: 500
                period: daily
                agents: [research-bot, support-agent]
            """;

    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private String key;

    @BeforeEach
    void setUp() {
        MutableClock.get().pin(Instant.parse("2026-11-28T15:00:00Z"));
        key = TestSql.sdkKey(dataSource, org);
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void theReadmeSequenceKeepsTheOrgBudget() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_type\": \"cost\", \"period\": \"daily\", \"limit_value\": 100.0}")
                .when().post("/v1/org/budgets").then().statusCode(201).body("managed_by", equalTo("api"));
        put(README_YAML, "").statusCode(200)
                .body("changes.action", contains("create"))
                .body("changes.key", contains("shared:engineering-pool:daily"))
                .body("unmanaged", contains("org:daily"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then()
                .body("budgets.key", contains("org:daily"))
                .body("budgets[0].managed_by", equalTo("api"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then()
                .body("managed_by", equalTo("config"));
        // Applying the same file again changes nothing and still leaves the org budget alone.
        put(README_YAML, "").statusCode(200).body("changes", empty()).body("unmanaged", contains("org:daily"));
        assertNoDrift();
    }

    @Test
    void anApiAgentBudgetSurvivesAPoolsOnlyApplyAndPruneAllRemovesItAfterADryRun() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":25}]}")
                .when().put("/v1/agents/rb/budgets").then().statusCode(200);
        ingest("rb", "3", "rb-1");
        put(README_YAML, "").statusCode(200)
                .body("changes.key", not(hasItem("agent:rb:daily")))
                .body("unmanaged", contains("agent:rb:daily"));
        given().auth().oauth2(admin).when().get("/v1/agents/rb/budget").then()
                .body("budgets.key", contains("agent:rb:daily"))
                .body("budgets[0].managed_by", equalTo("api"))
                .body("budgets[0].spent", equalTo(3.0f));
        assertNoDrift();

        // Preview: the whole-truth apply would remove it; nothing changes yet.
        put(README_YAML, "?prune=all&dry_run=true").statusCode(200)
                .body("dry_run", equalTo(true))
                .body("changes.action", contains("delete"))
                .body("changes.key", contains("agent:rb:daily"))
                .body("unmanaged", empty());
        given().auth().oauth2(admin).when().get("/v1/agents/rb/budget").then().body("budgets", hasSize(1));

        put(README_YAML, "?prune=all").statusCode(200)
                .body("dry_run", equalTo(false))
                .body("changes.key", contains("agent:rb:daily"));
        given().auth().oauth2(admin).when().get("/v1/agents/rb/budget").then().body("budgets", empty());
        assertNoDrift();
    }

    @Test
    void aConfigOwnedPoolDroppedFromTheFileIsRemoved() {
        String twoPools = README_YAML + """
              ops-pool:
                limit: 50
                period: monthly
                agents: [ops-bot]
            """;
        put(twoPools, "").statusCode(200).body("changes.action", contains("create", "create"));
        put(README_YAML, "").statusCode(200)
                .body("changes.action", contains("delete"))
                .body("changes.key", contains("shared:ops-pool:monthly"))
                .body("unmanaged", empty());
        given().auth().oauth2(admin).when().get("/v1/shared-budgets").then()
                .body("shared_budgets.key", contains("shared:engineering-pool:daily"));
        assertNoDrift();
    }

    @Test
    void aMentionedApiBudgetIsAdoptedAndThenOwnedByTheFile() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":100}")
                .when().post("/v1/org/budgets").then().statusCode(201);
        String withOrg = "org_budget:\n  limit: 100\n  period: daily\n" + README_YAML;
        put(withOrg, "").statusCode(200)
                .body("changes.action", contains("adopt", "create"))
                .body("changes.key", contains("org:daily", "shared:engineering-pool:daily"))
                .body("unmanaged", empty());
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then()
                .body("budgets[0].managed_by", equalTo("config"));
        // Now the file owns it: dropping it from the file removes it.
        put(README_YAML, "").statusCode(200).body("changes.action", contains("delete"))
                .body("changes.key", contains("org:daily"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", empty());
        assertNoDrift();
    }

    @Test
    void removeThenReAddWithinTheDayKeepsSpent() {
        put(README_YAML, "").statusCode(200);
        String id = given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().extract().path("id");
        ingest("research-bot", "2", "r-1");
        put("shared_budgets: {}\n", "").statusCode(200).body("changes.action", contains("delete"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then().statusCode(404);
        assertNoDrift();

        put(README_YAML, "").statusCode(200).body("changes.action", contains("create"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then()
                .body("id", equalTo(id))
                .body("spent", equalTo(2.0f))
                .body("remaining", equalTo(498.0f));
        assertNoDrift();

        // Spend booked while the pool was gone is carried in when it comes back (an opening entry).
        put("shared_budgets: {}\n", "").statusCode(200);
        ingest("support-agent", "1.5", "s-1");
        put(README_YAML, "").statusCode(200);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then()
                .body("id", equalTo(id))
                .body("spent", equalTo(3.5f));
        assertNoDrift();
    }

    @Test
    void aMistypedPruneIsRefusedAndChangesNothing() {
        put(README_YAML, "?prune=everything").statusCode(422).contentType("application/problem+json")
                .body("errors[0].field", equalTo("prune"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets").then().body("shared_budgets", empty());
    }

    private ValidatableResponse put(String yaml, String query) {
        return given().auth().oauth2(admin).contentType("application/yaml")
                .body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().put("/v1/config" + query).then();
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
