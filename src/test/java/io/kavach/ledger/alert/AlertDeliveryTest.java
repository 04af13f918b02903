package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Rules fire once per window in the booking's transaction and reach real receivers, signed, with retries. */
@QuarkusTest
class AlertDeliveryTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Test
    void anEightyPercentPoolRuleFiresExactlyOnceWhenAgentsCrossItConcurrently() throws Exception {
        String[] agents = {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"};
        Fixtures.pool(org, "engineering-pool", "daily", "10", agents);
        String key = Fixtures.apiKey(org);
        try (Receiver receiver = new Receiver(0)) {
            String secret = createRule("shared:engineering-pool:daily", "0.8", receiver.url("/hook"));
            // 8 threads × 5 events × $0.5 = $20: the pool crosses $8 (80%) once, whoever books it.
            ExecutorService threads = Executors.newFixedThreadPool(agents.length);
            CyclicBarrier start = new CyclicBarrier(agents.length);
            List<Future<?>> done = new ArrayList<>();
            for (String agent : agents) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 5; i++) {
                        int status = given().auth().oauth2(key).contentType("application/json")
                                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":0.5,\"idempotency_key\":\""
                                        + agent + "-" + i + "\"}]}")
                                .post("/v1/ingest").then().extract().statusCode();
                        assertTrue(status == 202 || status == 429, "ingest answered " + status);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            threads.shutdown();
            receiver.awaitRequests(1, 10_000);
            Thread.sleep(1_000); // a second alert, if there were one, would arrive in this time
            assertEquals(1, receiver.requests.size(), "exactly one alert delivered");
            assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ?", org));
            Receiver.Request request = receiver.requests.get(0);
            assertTrue(request.body().contains("\"type\":\"budget.threshold\""), request.body());
            assertTrue(request.body().contains("\"key\":\"shared:engineering-pool:daily\""), request.body());
            assertTrue(request.body().contains("\"threshold_pct\":0.8"), request.body());
            // The documented verifier (docs/alerts.md) accepts the delivery.
            assertTrue(verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                    request.body(), request.header("webhook-signature")));
            assertTrue(!verify(secret, request.header("webhook-id"), request.header("webhook-timestamp"),
                    request.body() + " ", request.header("webhook-signature")), "a changed body fails");

            // Raising the limit puts spend back under 80%; crossing again in the same window fires nothing.
            given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"limit_value\":100,\"agents\":[\"a1\",\"a2\",\"a3\",\"a4\",\"a5\",\"a6\",\"a7\",\"a8\"]}")
                    .put("/v1/shared-budgets/engineering-pool").then().statusCode(200);
            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"events\":[{\"agent_name\":\"a1\",\"cost\":70,\"idempotency_key\":\"big\"}]}")
                    .post("/v1/ingest").then().statusCode(202);
            Thread.sleep(1_000);
            assertEquals(1, receiver.requests.size());
            assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ?", org));
        }
    }

    @Test
    void aReceiverAnswering500ThreeTimesGetsTheSameWebhookIdFourTimesAndEveryAttemptIsListed() throws Exception {
        Fixtures.agentBudget(org, "research-bot", "daily", "10");
        String key = Fixtures.apiKey(org);
        try (Receiver receiver = new Receiver(3)) {
            createRule("agent:research-bot:daily", "50%", receiver.url("/flaky"));
            given().auth().oauth2(key).contentType("application/json")
                    .body("{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":6,\"idempotency_key\":\"r-1\"}]}")
                    .post("/v1/ingest").then().statusCode(202);
            receiver.awaitRequests(4, 20_000);
            assertEquals(4, receiver.requests.size());
            Set<String> ids = new TreeSet<>();
            receiver.requests.forEach(r -> ids.add(r.header("webhook-id")));
            assertEquals(1, ids.size(), "webhook-id is stable across retries: " + ids);
            awaitStatus("delivered");
            given().auth().oauth2(Tokens.viewer(org)).get("/v1/alerts/deliveries").then().statusCode(200)
                    .body("deliveries", hasSize(1))
                    .body("deliveries[0].status", equalTo("delivered"))
                    .body("deliveries[0].budget_key", equalTo("agent:research-bot:daily"))
                    .body("deliveries[0].threshold_pct", equalTo(0.5f))
                    .body("deliveries[0].attempts.outcome", contains("failed", "failed", "failed", "delivered"))
                    .body("deliveries[0].attempts.http_status", contains(500, 500, 500, 204))
                    .body("deliveries[0].attempts[0].error", equalTo("receiver answered 500"))
                    .body("deliveries[0].attempts[3].error", nullValue())
                    .body("has_more", equalTo(false));
        }
    }

    @Test
    void aKillRulePausesTheAgentAndItsNextIngestGetsTheSdkPausing429() throws Exception {
        Fixtures.agentBudget(org, "looping-bot", "daily", "10");
        String key = Fixtures.apiKey(org);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"agent:looping-bot:daily\",\"threshold_pct\":0.9,\"channel\":\"kill\"}")
                .post("/v1/alerts").then().statusCode(201).body("channel", equalTo("kill"));
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"looping-bot\",\"cost\":9.5,\"idempotency_key\":\"k-1\"}]}")
                .post("/v1/ingest").then().statusCode(202);
        awaitStatus("delivered");
        given().auth().oauth2(admin).get("/v1/agents/looping-bot/budget").then().statusCode(200)
                .body("paused", equalTo(true)).body("paused_reason", startsWith("alert: agent:looping-bot:daily reached 90%"));
        given().auth().oauth2(key).contentType("application/json").header("User-Agent", "agentkavach-sdk/2.1.0")
                .body("{\"events\":[{\"agent_name\":\"looping-bot\",\"cost\":0.1,\"idempotency_key\":\"k-2\"}]}")
                .post("/v1/ingest").then().statusCode(429).body("rejected_agents", contains("looping-bot"));
    }

    @Test
    void holdsDoNotFireButTheirCommitDoes() throws Exception {
        Fixtures.agentBudget(org, "holder", "daily", "10");
        String key = Fixtures.apiKey(org);
        try (Receiver receiver = new Receiver(0)) {
            createRule("agent:holder:daily", "0.8", receiver.url("/hold"));
            String id = given().auth().oauth2(key).contentType("application/json")
                    .body("{\"agent_name\":\"holder\",\"amount\":9}").post("/v1/reservations")
                    .then().statusCode(201).extract().path("id");
            Thread.sleep(600);
            assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ?", org));
            given().auth().oauth2(key).contentType("application/json").body("{\"cost\":8.5}")
                    .post("/v1/reservations/" + id + "/commit").then().statusCode(200);
            receiver.awaitRequests(1, 10_000);
            assertEquals(1, receiver.requests.size());
        }
    }

    /** docs/alerts.md's verifier, verbatim in spirit: HMAC-SHA256 over "id.timestamp.body" with the whsec_ key. */
    static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader) throws Exception {
        byte[] key = java.util.Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String expected = java.util.Base64.getEncoder().encodeToString(
                mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        for (String candidate : signatureHeader.split(" ")) {
            if (candidate.startsWith("v1,") && java.security.MessageDigest.isEqual(
                    candidate.substring(3).getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
                return true;
            }
        }
        return false;
    }

    private String createRule(String budgetKey, String threshold, String url) {
        String thresholdJson = threshold.endsWith("%") ? "\"" + threshold + "\"" : threshold;
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"" + budgetKey + "\",\"threshold_pct\":" + thresholdJson
                        + ",\"channel\":\"webhook\",\"target\":\"" + url + "\"}")
                .post("/v1/alerts").then().statusCode(201)
                .body("secret", startsWith("whsec_")).body("has_secret", equalTo(true))
                .extract().path("secret");
    }

    private void awaitStatus(String status) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (Fixtures.queryLong("SELECT count(*) FROM alert_event WHERE org_id = ? AND status = ?", org, status) > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no alert of org " + org + " became " + status);
    }
}
