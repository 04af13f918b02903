package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class OrgBudgetResourceTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void seedCurlBodyCreatesDailyOrgBudgetWithLiveState() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_type\": \"cost\", \"period\": \"daily\", \"limit_value\": 100.0}")
                .when().post("/v1/org/budgets")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/v1/org/budgets/[0-9a-f-]{36}"))
                .contentType(ContentType.JSON)
                .body("id", matchesPattern("[0-9a-f-]{36}"))
                .body("key", equalTo("org:daily"))
                .body("scope", equalTo("org"))
                .body("name", nullValue())
                .body("budget_type", equalTo("cost"))
                .body("period", equalTo("daily"))
                .body("limit_value", equalTo(100.0f))
                .body("spent", equalTo(0.0f))
                .body("reserved", equalTo(0.0f))
                .body("remaining", equalTo(100.0f))
                .body("utilization", equalTo(0))
                .body("window_start", equalTo("2026-11-28T00:00:00Z"))
                .body("window_end", equalTo("2026-11-29T00:00:00Z"));
    }

    @Test
    void monthlyAndTotalWindowsFollowTheClock() {
        MutableClock.get().pin(Instant.parse("2026-12-31T23:59:59.999Z"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"monthly\",\"limit_value\":1000}")
                .when().post("/v1/org/budgets")
                .then().statusCode(201)
                .body("budget_type", equalTo("cost"))
                .body("window_start", equalTo("2026-12-01T00:00:00Z"))
                .body("window_end", equalTo("2027-01-01T00:00:00Z"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"total\",\"limit_value\":5000}")
                .when().post("/v1/org/budgets")
                .then().statusCode(201)
                .body("key", equalTo("org:total"))
                .body("window_start", equalTo("1970-01-01T00:00:00Z"))
                .body("window_end", nullValue());

        MutableClock.get().pin(Instant.parse("2027-01-01T00:00:00Z"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets")
                .then().statusCode(200)
                .body("budgets.key", contains("org:monthly", "org:total"))
                .body("budgets[0].window_start", equalTo("2027-01-01T00:00:00Z"))
                .body("budgets[0].window_end", equalTo("2027-02-01T00:00:00Z"));
    }

    @Test
    void secondBudgetOfSamePeriodIs409NamingTheExistingId() {
        String id = createDaily(100);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":50}")
                .when().post("/v1/org/budgets")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("reason", equalTo("budget_already_exists"))
                .body("existing_id", equalTo(id))
                .body("detail", containsString(id));
    }

    @Test
    void putChangesTheLimitAndDeleteRemovesIt() {
        String id = createDaily(100);
        given().auth().oauth2(admin).contentType("application/json").body("{\"limit_value\":150}")
                .when().put("/v1/org/budgets/" + id)
                .then().statusCode(200).body("limit_value", equalTo(150.0f)).body("remaining", equalTo(150.0f));
        given().auth().oauth2(admin).when().get("/v1/org/budgets/" + id)
                .then().statusCode(200).body("limit_value", equalTo(150.0f));
        given().auth().oauth2(admin).when().delete("/v1/org/budgets/" + id).then().statusCode(204);
        given().auth().oauth2(admin).when().get("/v1/org/budgets/" + id)
                .then().statusCode(404).contentType("application/problem+json").body("reason", equalTo("not_found"));
        // With the old one deleted, the period is free again.
        createDaily(80);
    }

    @Test
    void invalidBodyLists422ErrorsAllAtOnce() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_type\":\"gpu_seconds\",\"period\":\"weekly\",\"limit_value\":0,\"limit\":5}")
                .when().post("/v1/org/budgets")
                .then().statusCode(422)
                .contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder("budget_type", "period", "limit_value", "limit"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":-1}")
                .when().post("/v1/org/budgets")
                .then().statusCode(422).body("errors.field", contains("limit_value"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":1e13}")
                .when().post("/v1/org/budgets")
                .then().statusCode(422).body("errors[0].message", containsString("must not exceed"));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", hasSize(0));
    }

    @Test
    void malformedJsonAndWrongContentTypeAreClear4xx() {
        given().auth().oauth2(admin).contentType("application/json").body("{\"period\": daily")
                .when().post("/v1/org/budgets")
                .then().statusCode(400).contentType("application/problem+json").body("reason", equalTo("malformed_json"));
        given().auth().oauth2(admin).contentType("text/plain").body("period=daily")
                .when().post("/v1/org/budgets")
                .then().statusCode(415).contentType("application/problem+json");
        given().auth().oauth2(admin).contentType("application/json").body("[1,2]")
                .when().post("/v1/org/budgets")
                .then().statusCode(422).contentType("application/problem+json");
    }

    @Test
    void anotherOrgsBudgetIs404AndInvisible() {
        String id = createDaily(100);
        String other = Tokens.admin(Tokens.newOrg());
        given().auth().oauth2(other).when().get("/v1/org/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(other).contentType("application/json").body("{\"limit_value\":1}")
                .when().put("/v1/org/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(other).when().delete("/v1/org/budgets/" + id).then().statusCode(404);
        given().auth().oauth2(other).when().get("/v1/org/budgets").then().statusCode(200).body("budgets", hasSize(0));
        given().auth().oauth2(admin).when().get("/v1/org/budgets/not-a-uuid").then().statusCode(404);
    }

    @Test
    void viewerReadsButCannotWrite() {
        String id = createDaily(100);
        String viewer = Tokens.viewer(org);
        given().auth().oauth2(viewer).when().get("/v1/org/budgets").then().statusCode(200).body("budgets", hasSize(1));
        given().auth().oauth2(viewer).when().get("/v1/org/budgets/" + id).then().statusCode(200);
        given().auth().oauth2(viewer).contentType("application/json").body("{\"period\":\"monthly\",\"limit_value\":5}")
                .when().post("/v1/org/budgets")
                .then().statusCode(403).contentType("application/problem+json").body("reason", equalTo("forbidden"));
        given().auth().oauth2(viewer).contentType("application/json").body("{\"limit_value\":5}")
                .when().put("/v1/org/budgets/" + id).then().statusCode(403);
        given().auth().oauth2(viewer).when().delete("/v1/org/budgets/" + id).then().statusCode(403);
    }

    @Test
    void badCredentialsAre401WithBearerChallenge() {
        for (String token : new String[] {
                Tokens.expired(org), Tokens.forged(org), Tokens.wrongIssuer(org), Tokens.withoutOrg(), "not-a-jwt"}) {
            given().auth().oauth2(token).when().get("/v1/org/budgets")
                    .then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .contentType("application/problem+json")
                    .body("reason", equalTo("unauthorized"));
        }
        given().when().get("/v1/org/budgets")
                .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json");
    }

    private String createDaily(double limit) {
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\":" + limit + "}")
                .when().post("/v1/org/budgets")
                .then().statusCode(201).extract().path("id");
    }
}
