package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, case 6: one agentkavach.yaml serves the ledger and the AgentKavach SDK. The SDK's
 * forms are accepted and enforced, the seed's form is enforced with a warning (the SDK reads it
 * as its default $100/day), and the export writes the form both read alike.
 */
@QuarkusTest
class ConfigSdkFormsTest {

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
    void theSdksFormsAreEnforcedWithoutWarnings() {
        put("""
                org_budget:
                  limit: 300
                defaults:
                  budget: {type: monthly, limit: 40}
                agents:
                  rb:
                    budget: {type: daily, limit: 25}
                  inherits:
                    budget: default
                """).statusCode(200)
                .body("changes.key", contains("org:daily", "agent:inherits:monthly", "agent:rb:daily", "config_extras"))
                .body("warnings", empty());
        given().auth().oauth2(admin).get("/v1/agents/inherits/budget").then()
                .body("budgets.key", contains("org:daily", "agent:inherits:monthly"))
                .body("budgets[1].limit_value", equalTo(40.0f));
    }

    /**
     * The SDK's {@code from_yaml} gives every agent without a budget the file's
     * {@code defaults.budget}; the ledger does too, so loading the file (or the ledger's export)
     * into the SDK never disagrees with the ledger, and an SDK sync of it changes nothing.
     */
    @Test
    void anAgentWithoutABudgetTakesTheFilesDefaultsAsInTheSdk() {
        put("""
                defaults:
                  budget: {type: daily, limit: 7}
                agents:
                  empty: {}
                  bare:
                  other-settings:
                    tags: [x]
                  inherits:
                    budget: default
                """).statusCode(200)
                .body("changes.key", contains("agent:bare:daily", "agent:empty:daily", "agent:inherits:daily",
                        "agent:other-settings:daily", "config_extras"))
                .body("changes[0].to.limit_value", equalTo(7.0f))
                .body("warnings", empty());
        String exported = given().auth().oauth2(admin).get("/v1/config").then().statusCode(200).extract().asString();
        put(exported).statusCode(200).body("changes", empty()).body("warnings", empty());
    }

    /** Without defaults.budget the SDK would invent $100 a day; the ledger does not, and says so. */
    @Test
    void anAgentWithoutABudgetOrDefaultsIsAWarningNotAnInventedBudget() {
        put("agents:\n  lonely: {}\n").statusCode(200)
                .body("changes.key", not(contains("agent:lonely:daily")))
                .body("warnings.field", contains("agents.lonely"))
                .body("warnings[0].message", containsString("$100 a day"));
    }

    @Test
    void budgetDefaultWithoutDefaultsIsTheSdksDailyHundred() {
        put("agents:\n  a:\n    budget: default\n").statusCode(200)
                .body("changes.key", contains("agent:a:daily"))
                .body("changes[0].to.limit_value", equalTo(100.0f));
    }

    @Test
    void theSeedFormIsEnforcedAsWrittenWithAWarningAndTheExportWritesTheSdkForm() {
        put("agents:\n  rb:\n    budget:\n      daily: 25\n").statusCode(200)
                .body("changes.key", contains("agent:rb:daily"))
                .body("changes[0].to.limit_value", equalTo(25.0f))
                .body("warnings.field", contains("agents.rb.budget"))
                .body("warnings[0].message", containsString("{type: daily, limit: 25}"));
        String exported = given().auth().oauth2(admin).get("/v1/config").then().statusCode(200).extract().asString();
        assertTrue(exported.contains("type: daily"), exported);
        // Importing the export: no change, no warning.
        put(exported).statusCode(200).body("changes", empty()).body("warnings", empty());
    }

    @Test
    void aPoolMemberMissingFromAnExistingAgentsSectionIsRefused() {
        put("""
                shared_budgets:
                  engineering-pool: {limit: 500, period: daily, agents: [research-bot, support-agent]}
                agents:
                  my-agent:
                    budget: {type: daily, limit: 25}
                """).statusCode(422)
                .body("errors.field", contains("shared_budgets.engineering-pool.agents[0]",
                        "shared_budgets.engineering-pool.agents[1]"));
        // Without an agents section the members are declared by the pool itself (the seed's snippet).
        put("shared_budgets:\n  engineering-pool: {limit: 500, period: daily, agents: [research-bot]}\n")
                .statusCode(200).body("changes.key", not(empty()));
    }

    private ValidatableResponse put(String yaml) {
        return given().auth().oauth2(admin).contentType("application/yaml")
                .body(yaml.getBytes(StandardCharsets.UTF_8)).when().put("/v1/config").then();
    }
}
