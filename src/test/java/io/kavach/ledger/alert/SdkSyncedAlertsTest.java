package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Alert rules from the SDK's sync and from agentkavach.yaml's alerts: become rules of the agent's budgets and are delivered. */
@QuarkusTest
class SdkSyncedAlertsTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Test
    void anSdkSyncedSlackConfigProducesADeliveryAndResyncingKeepsTheRule() throws Exception {
        String key = Fixtures.apiKey(org);
        try (Receiver slack = new Receiver(0)) {
            String payload = """
                    {"agent_name": "research-bot",
                     "budgets": [{"budget_type": "cost", "period": "daily", "limit_value": 10.0, "unit": "usd"}],
                     "alert_configs": [
                       {"channel": "slack", "threshold_pct": 0.8, "budget_type": "cost", "target": "%s"},
                       {"channel": "kill", "threshold_pct": 1.0, "budget_type": "cost"},
                       {"channel": "team-slack", "threshold_pct": 0.5},
                       {"channel": "webhook", "threshold_pct": 0.9, "budget_type": "tokens_total", "target": "https://x.example"}]}
                    """.formatted(slack.url("/services/T000/B000/XXXX"));
            given().auth().oauth2(key).contentType("application/json").body(payload).post("/v1/sync-config")
                    .then().statusCode(200)
                    .body("alerts.active", equalTo(2)).body("alerts.created", equalTo(2))
                    .body("alerts.refused.field", containsInAnyOrder("alert_configs[2].channel"));
            // The SDK syncs at every start: the same configs keep the same rules.
            given().auth().oauth2(key).contentType("application/json").body(payload).post("/v1/sync-config")
                    .then().statusCode(200).body("alerts.active", equalTo(2)).body("alerts.created", equalTo(0))
                    .body("alerts.removed", equalTo(0));
            given().auth().oauth2(admin).get("/v1/alerts").then().statusCode(200)
                    .body("alerts", hasSize(2))
                    .body("alerts.source", containsInAnyOrder("sdk", "sdk"))
                    .body("alerts.channel", containsInAnyOrder("slack", "kill"))
                    .body("alerts.budget_key", hasItem("agent:research-bot:daily"))
                    // A Slack webhook URL is a credential: listings show only its start.
                    .body("alerts.target", hasItem(slack.url("").replaceAll("/$", "") + "/…"));

            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":8.5,\"idempotency_key\":\"s-1\"}]}")
                    .post("/v1/ingest").then().statusCode(202);
            slack.awaitRequests(1, 10_000);
            assertEquals(1, slack.requests.size());
            String body = slack.requests.get(0).body();
            assertTrue(body.startsWith("{\"text\":\"Budget agent:research-bot:daily reached 80% of its limit: $8.5 spent of $10"), body);

            // Configs the SDK no longer sends are removed.
            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"agent_name\":\"research-bot\",\"alert_configs\":[]}").post("/v1/sync-config")
                    .then().statusCode(200).body("alerts.active", equalTo(0)).body("alerts.removed", equalTo(2));
            given().auth().oauth2(admin).get("/v1/alerts").then().statusCode(200).body("alerts", hasSize(0));
        }
    }

    @Test
    void aYamlAlertsBlockProducesASignedDeliveryAndKeepsItsRulesAcrossReapply() throws Exception {
        String key = Fixtures.apiKey(org);
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        try (Receiver hook = new Receiver(0)) {
            String yaml = """
                    channels:
                      team-hook:
                        type: webhook
                        url: %s
                        secret: %s
                      team-slack:
                        type: slack
                        webhook_url: ${AGENTKAVACH_SLACK_WEBHOOK_URL}
                    agents:
                      yaml-bot:
                        budget:
                          daily: 10
                        alerts:
                          - at: 80%%
                            channels: [team-hook, team-slack]
                          - threshold: 1
                            channels: []
                            action: kill
                    """.formatted(hook.url("/yaml"), secret);
            given().config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                    .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT))).auth().oauth2(admin).contentType("application/yaml").body(yaml).put("/v1/config").then().statusCode(200)
                    .body("alerts.active", equalTo(2)).body("alerts.created", equalTo(2))
                    .body("alerts.refused.field", containsInAnyOrder("agents.yaml-bot.alerts.target"));
            given().config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                    .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT))).auth().oauth2(admin).contentType("application/yaml").body(yaml).put("/v1/config").then().statusCode(200)
                    .body("changes", hasSize(0)).body("alerts.created", equalTo(0)).body("alerts.removed", equalTo(0));
            given().auth().oauth2(admin).get("/v1/alerts").then().statusCode(200)
                    .body("alerts.source", containsInAnyOrder("config", "config"))
                    .body("alerts.channel", containsInAnyOrder("webhook", "kill"));

            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"events\":[{\"agent_name\":\"yaml-bot\",\"cost\":8,\"idempotency_key\":\"y-1\"}]}")
                    .post("/v1/ingest").then().statusCode(202);
            hook.awaitRequests(1, 10_000);
            assertEquals(1, hook.requests.size());
            Receiver.Request request = hook.requests.get(0);
            assertTrue(AlertDeliveryTest.verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                    request.body(), request.header("webhook-signature")));
        }
    }
}
