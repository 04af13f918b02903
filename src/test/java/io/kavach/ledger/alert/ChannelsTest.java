package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

/** PagerDuty Events v2 and email (real SMTP) deliveries. */
@QuarkusTest
@QuarkusTestResource(value = ChannelReceivers.class, restrictToAnnotatedClass = true)
class ChannelsTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Test
    void pagerdutyGetsAnEventsV2TriggerWithTheRuleAndWindowAsDedupKey() throws Exception {
        Fixtures.agentBudget(org, "pager-bot", "daily", "10");
        String key = Fixtures.apiKey(org);
        String ruleId = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:pager-bot:daily\",\"threshold_pct\":0.95,\"channel\":\"pagerduty\","
                        + "\"target\":\"R0UTINGKEY0000000000000000000000\"}")
                .post("/v1/alerts").then().statusCode(201).extract().path("id");
        int before = ChannelReceivers.pagerduty.requests.size();
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"pager-bot\",\"cost\":9.5,\"idempotency_key\":\"pd-1\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        ChannelReceivers.pagerduty.awaitRequests(before + 1, 10_000);
        JsonNode body = new ObjectMapper().readTree(ChannelReceivers.pagerduty.requests.get(before).body());
        long windowId = Fixtures.queryLong("SELECT window_id FROM alert_event WHERE org_id = ?", org);
        assertEquals("R0UTINGKEY0000000000000000000000", body.get("routing_key").asText());
        assertEquals("trigger", body.get("event_action").asText());
        assertEquals("kavach:" + ruleId + ":" + windowId, body.get("dedup_key").asText());
        assertEquals("error", body.at("/payload/severity").asText());
        assertEquals("kavach-ledger", body.at("/payload/source").asText());
        assertTrue(body.at("/payload/summary").asText().contains("agent:pager-bot:daily reached 95%"));
    }

    @Test
    void emailGoesThroughTheConfiguredSmtpServer() throws Exception {
        Fixtures.agentBudget(org, "mail-bot", "daily", "10");
        String key = Fixtures.apiKey(org);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:mail-bot:daily\",\"threshold_pct\":0.5,\"channel\":\"email\",\"target\":\"ops@example.com\"}")
                .post("/v1/alerts").then().statusCode(201);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"mail-bot\",\"cost\":6,\"idempotency_key\":\"m-1\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        assertTrue(ChannelReceivers.smtp.waitForIncomingEmail(10_000, 1), "an email arrived");
        MimeMessage mail = ChannelReceivers.smtp.getReceivedMessages()[0];
        assertEquals("kavach-ledger: agent:mail-bot:daily reached 50%", mail.getSubject());
        assertEquals("ops@example.com", mail.getAllRecipients()[0].toString());
        assertTrue(com.icegreen.greenmail.util.GreenMailUtil.getBody(mail).contains("$6 spent of $10"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline
                && Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ? AND status = 'delivered'", org) == 0) {
            Thread.sleep(50);
        }
        given().auth().oauth2(admin).get("/v1/alerts/deliveries").then().statusCode(200)
                .body("deliveries[0].status", equalTo("delivered")).body("deliveries[0].channel", equalTo("email"));
    }
}
