package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Budgets on their own clock (ADR 0014), end to end, with a pinned clock. */
@QuarkusTest
class BudgetTimeZoneTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);
    private final String key = Fixtures.apiKey(org);

    @BeforeEach
    void yamlAsText() {
        RestAssured.config = RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", ContentType.TEXT));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void aKolkataDailyBudgetResetsAt1830Utc() {
        MutableClock.get().pin(Instant.parse("2026-11-28T12:00:00Z"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10,\"timezone\":\"Asia/Kolkata\"}")
                .when().post("/v1/org/budgets")
                .then().statusCode(201)
                .body("timezone", equalTo("Asia/Kolkata"))
                .body("window_start", equalTo("2026-11-27T18:30:00Z"))
                .body("window_end", equalTo("2026-11-28T18:30:00Z"));
        ingest("e1", "10", "2026-11-28T12:00:00Z").statusCode(429);

        MutableClock.get().pin(Instant.parse("2026-11-28T18:29:59Z"));
        reserve("5").statusCode(429).body("reason", equalTo("org_budget_exceeded"))
                .header("Retry-After", "1");

        MutableClock.get().pin(Instant.parse("2026-11-28T18:30:00Z"));
        reserve("5").statusCode(201).body("budgets[0].window_start", equalTo("2026-11-28T18:30:00Z"))
                .body("budgets[0].timezone", equalTo("Asia/Kolkata"))
                .body("budgets[0].remaining", equalTo(5.0f));
    }

    @Test
    void aNewYorkDailyWindowOnTheSpringDstDayIs23Hours() {
        MutableClock.get().pin(Instant.parse("2027-03-14T12:30:00Z"));
        var state = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":25,\"timezone\":\"America/New_York\"},"
                        + "{\"period\":\"hourly\",\"limit_value\":2,\"timezone\":\"America/New_York\"}]}")
                .when().put("/v1/agents/ny-bot/budgets")
                .then().statusCode(200).extract().jsonPath();
        Instant start = Instant.parse(state.getString("budgets.find { it.period == 'daily' }.window_start"));
        Instant end = Instant.parse(state.getString("budgets.find { it.period == 'daily' }.window_end"));
        assertEquals(Duration.ofHours(23), Duration.between(start, end));
        assertEquals(Instant.parse("2027-03-14T05:00:00Z"), start);

        // The hourly budget: two dollars this hour, and a fresh two the next.
        ingest("h1", "2", "2027-03-14T12:10:00Z", "ny-bot").statusCode(429)
                .body("exhausted[0].key", equalTo("agent:ny-bot:hourly"));
        MutableClock.get().pin(Instant.parse("2027-03-14T13:00:00Z"));
        given().auth().oauth2(admin).when().get("/v1/agents/ny-bot/budget")
                .then().statusCode(200).body("allowed", equalTo(true))
                .body("budgets.find { it.period == 'hourly' }.spent", equalTo(0.0f));
    }

    @Test
    void everyBadZoneIsListedWithTheOtherProblemsAndNothingChanges() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":-1,\"timezone\":\"Mars/Olympus\"}")
                .when().post("/v1/org/budgets")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("limit_value", "timezone"))
                .body("errors.find { it.field == 'timezone' }.message", containsString("unknown time zone Mars/Olympus"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"total\",\"limit_value\":5,\"timezone\":\"Asia/Kolkata\"}")
                .when().post("/v1/org/budgets")
                .then().statusCode(422).body("errors[0].message", containsString("total budget"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"p\",\"period\":\"daily\",\"limit_value\":5,\"timezone\":\"+05:30\"}")
                .when().post("/v1/shared-budgets")
                .then().statusCode(422).body("errors[0].field", equalTo("timezone"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":5,\"timezone\":\"" + "x".repeat(65) + "\"}]}")
                .when().put("/v1/agents/a/budgets")
                .then().statusCode(422).body("errors[0].field", equalTo("budgets[0].timezone"));
        yaml("org_budget: {limit: 5, timezone: Nowhere/Land}\n"
                + "shared_budgets:\n  p: {limit: 5, period: total, timezone: Asia/Kolkata}\n"
                + "agents:\n  a: {budget: {daily: 5, timezone: 7}}\n")
                .statusCode(422)
                .body("errors.field", containsInAnyOrder("org_budget.timezone", "shared_budgets.p.timezone",
                        "agents.a.budget.timezone"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().statusCode(200).body("budgets", hasSize(0));
    }

    @Test
    void theYamlInBothFormsAndTheExportCarryZones() {
        MutableClock.get().pin(Instant.parse("2026-11-28T12:00:00Z"));
        String file = "org_budget: {limit: 100, period: monthly, timezone: Asia/Kolkata}\n"
                + "shared_budgets:\n  pool: {limit: 50, period: hourly, timezone: Europe/Berlin, agents: [a, b, c]}\n"
                + "agents:\n"
                + "  a: {budget: {type: daily, limit: 25, timezone: America/New_York}}\n"
                + "  b: {budget: {daily: 5, monthly: 50, timezone: Asia/Kolkata}}\n"
                + "  c:\n    budget:\n      - {type: daily, limit: 5, timezone: Asia/Tokyo}\n      - {type: monthly, limit: 9}\n";
        yaml(file).statusCode(200).body("changes", hasSize(7))
                .body("changes.find { it.key == 'agent:c:daily' }.to.timezone", equalTo("Asia/Tokyo"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().statusCode(200)
                .body("budgets[0].timezone", equalTo("Asia/Kolkata"))
                .body("budgets[0].window_start", equalTo("2026-10-31T18:30:00Z"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/pool").then().statusCode(200)
                .body("timezone", equalTo("Europe/Berlin"))
                .body("window_start", equalTo("2026-11-28T12:00:00Z"))
                .body("window_end", equalTo("2026-11-28T13:00:00Z"));
        String exported = given().auth().oauth2(admin).when().get("/v1/config")
                .then().statusCode(200).extract().asString();
        // The export applies back with no change: every zone survived the round trip.
        yaml(exported).statusCode(200).body("changes", hasSize(0));
        yaml(file).statusCode(200).body("changes", hasSize(0));
    }

    @Test
    void movingABudgetToAnotherZoneKeepsWhatItsScopeSpentInTheNewWindow() {
        MutableClock.get().pin(Instant.parse("2026-11-28T20:00:00Z"));
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":10}")
                .when().post("/v1/org/budgets").then().statusCode(201).extract().path("id");
        // 19:00 UTC is in Kolkata's Nov 29 (from 18:30 UTC), 17:00 UTC in its Nov 28.
        ingest("before", "3", "2026-11-28T17:00:00Z").statusCode(202);
        ingest("after", "4", "2026-11-28T19:00:00Z").statusCode(202);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"limit_value\":10,\"timezone\":\"Asia/Kolkata\"}")
                .when().put("/v1/org/budgets/" + id)
                .then().statusCode(200)
                .body("timezone", equalTo("Asia/Kolkata"))
                .body("window_start", equalTo("2026-11-28T18:30:00Z"))
                .body("spent", equalTo(4.0f));
        given().auth().oauth2(admin).when().get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));
    }

    private ValidatableResponse reserve(String amount) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"amount\":" + amount + "}")
                .when().post("/v1/reservations").then();
    }

    private ValidatableResponse ingest(String id, String cost, String at) {
        return ingest(id, cost, at, "bot");
    }

    private ValidatableResponse ingest(String id, String cost, String at, String agent) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"timestamp\":\"" + at
                        + "\",\"idempotency_key\":\"" + id + "\"}]}")
                .when().post("/v1/ingest").then();
    }

    private ValidatableResponse yaml(String body) {
        return given().auth().oauth2(admin).contentType("application/yaml").body(body)
                .when().put("/v1/config").then();
    }
}
