package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** POST/GET/DELETE /v1/alerts: validation listing every problem, write-only secrets, roles and orgs. */
@QuarkusTest
class AlertRuleResourceTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Test
    void invalidRuleIsA422ListingEveryProblemAndChangesNothing() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"pool:x\",\"threshold_pct\":1.5,\"channel\":\"sms\",\"target\":\"t\",\"colour\":1}")
                .post("/v1/alerts").then().statusCode(422).contentType("application/problem+json")
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder("budget_key", "threshold_pct", "channel", "colour"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":\"80%\",\"channel\":\"pagerduty\",\"target\":\"not a key!\",\"secret\":\"s\",\"action\":\"kill\"}")
                .post("/v1/alerts").then().statusCode(422)
                .body("errors.field", containsInAnyOrder("target", "secret", "action"));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:bot:daily\",\"threshold_pct\":0,\"channel\":\"webhook\"}")
                .post("/v1/alerts").then().statusCode(422)
                .body("errors.field", containsInAnyOrder("threshold_pct", "target"));
        given().auth().oauth2(admin).get("/v1/alerts").then().statusCode(200).body("alerts", hasSize(0));
    }

    @Test
    void rulesAreListedWithoutSecretsAndDeleted() {
        String id = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"shared:engineering-pool:daily\",\"threshold_pct\":\"0.8\",\"channel\":\"webhook\","
                        + "\"target\":\"http://127.0.0.1:9/hook\",\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}")
                .post("/v1/alerts").then().statusCode(201)
                .body("threshold_pct", equalTo(0.8f)).body("has_secret", equalTo(true)).body("$", not(hasKey("secret")))
                .extract().path("id");
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:Research Bot:monthly\",\"threshold_pct\":1,\"channel\":\"email\",\"target\":\"ops@example.com\",\"action\":\"kill\"}")
                .post("/v1/alerts").then().statusCode(201).body("action", equalTo("kill"));
        given().auth().oauth2(Tokens.viewer(org)).get("/v1/alerts").then().statusCode(200)
                .body("alerts", hasSize(2))
                .body("alerts.budget_key", containsInAnyOrder("shared:engineering-pool:daily", "agent:Research Bot:monthly"))
                .body("alerts[0]", not(hasKey("secret")));
        given().auth().oauth2(Tokens.viewer(org)).delete("/v1/alerts/" + id).then().statusCode(403);
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).delete("/v1/alerts/" + id).then().statusCode(404);
        given().auth().oauth2(admin).delete("/v1/alerts/" + id).then().statusCode(204);
        given().auth().oauth2(admin).delete("/v1/alerts/" + id).then().statusCode(404);
        given().auth().oauth2(admin).delete("/v1/alerts/not-a-uuid").then().statusCode(404);
        given().auth().oauth2(admin).get("/v1/alerts").then().statusCode(200)
                .body("alerts", hasSize(1)).body("alerts.budget_key", not(hasItem("shared:engineering-pool:daily")));
        given().get("/v1/alerts").then().statusCode(401);
        given().auth().oauth2(admin).queryParam("limit", 0).get("/v1/alerts/deliveries").then().statusCode(422);
    }

    @Test
    void theOrgsRuleCapIsA409AndADeletedRuleFreesItsPlace() {
        String last = null;
        for (int i = 0; i < 10; i++) {
            last = given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":0." + (i + 1) + "5,\"channel\":\"email\",\"target\":\"ops@example.com\"}")
                    .post("/v1/alerts").then().statusCode(201).extract().path("id");
        }
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":1,\"channel\":\"email\",\"target\":\"ops@example.com\"}")
                .post("/v1/alerts").then().statusCode(409).contentType("application/problem+json")
                .body("reason", equalTo("alert_rule_limit_reached")).body("limit", equalTo(10));
        given().auth().oauth2(admin).delete("/v1/alerts/" + last).then().statusCode(204);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":1,\"channel\":\"email\",\"target\":\"ops@example.com\"}")
                .post("/v1/alerts").then().statusCode(201);
    }
}
