package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /v1/spend and GET /v1/refusals: exact sums of what the ledger booked, grouped as asked. */
@QuarkusTest
class SpendResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final String[] AGENTS = {"research-bot", "support-agent", "Research Bot"};
    private static final String[] MODELS = {"gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini"};

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void spendMatchesTheSumOfIngestedEventsExactlyAcrossMidnight() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String key = Fixtures.apiKey(org);
        Fixtures.pool(org, "engineering-pool", "daily", "1000", "research-bot", "support-agent");
        Map<String, BigDecimal> byDay = new TreeMap<>();
        Map<String, BigDecimal> byAgent = new TreeMap<>();
        Map<String, Long> callsByModel = new TreeMap<>();
        BigDecimal total = BigDecimal.ZERO;
        long inputTokens = 0;
        Instant[] clocks = {Instant.parse("2026-11-28T23:58:00Z"), Instant.parse("2026-11-29T00:03:00Z")};
        int eventId = 0;
        for (Instant now : clocks) {
            MutableClock.get().pin(now);
            StringBuilder body = new StringBuilder("{\"events\":[");
            for (int i = 0; i < 40; i++) {
                String agent = AGENTS[random.nextInt(AGENTS.length)];
                String model = MODELS[random.nextInt(MODELS.length)];
                BigDecimal cost = BigDecimal.valueOf(random.nextInt(1_000_000_000), 9);
                long tokens = random.nextInt(5000);
                // Some events an hour back (before midnight even after it), some a minute back.
                Instant at = now.minus(Duration.ofMinutes(random.nextBoolean() ? 1 : 61));
                String day = at.toString().substring(0, 10);
                byDay.merge(day, cost, BigDecimal::add);
                byAgent.merge(agent, cost, BigDecimal::add);
                callsByModel.merge(model, 1L, Long::sum);
                total = total.add(cost);
                inputTokens += tokens;
                body.append(i == 0 ? "" : ",").append("{\"agent_name\":\"").append(agent).append("\",\"provider\":\"p\",")
                        .append("\"model\":\"").append(model).append("\",\"cost\":").append(cost.toPlainString())
                        .append(",\"input_tokens\":").append(tokens).append(",\"output_tokens\":1,\"timestamp\":\"")
                        .append(at).append("\",\"idempotency_key\":\"e-").append(eventId++).append("\"}");
            }
            String events = body.append("]}").toString();
            given().auth().oauth2(key).contentType("application/json").body(events).post("/v1/ingest")
                    .then().statusCode(202).body("accepted", equalTo(40));
            // Redelivered: counted once.
            given().auth().oauth2(key).contentType("application/json").body(events).post("/v1/ingest")
                    .then().statusCode(202).body("duplicates", equalTo(40));
        }
        String where = " (seed " + seed + ")";

        JsonNode days = spend("from=2026-11-28&to=2026-11-30&group_by=day");
        assertEquals(byDay.size(), days.get("rows").size(), "days" + where);
        int i = 0;
        for (Map.Entry<String, BigDecimal> day : byDay.entrySet()) {
            JsonNode row = days.get("rows").get(i++);
            assertEquals(day.getKey(), row.get("day").asText(), where);
            assertEquals(0, day.getValue().compareTo(row.get("cost").decimalValue()), day.getKey() + where);
        }
        assertEquals(0, total.compareTo(days.get("total").get("cost").decimalValue()), "total" + where);
        assertEquals(inputTokens, days.get("total").get("input_tokens").asLong(), where);
        assertEquals(80, days.get("total").get("calls").asLong(), where);
        assertEquals(0, total.compareTo(Fixtures.queryDecimal("SELECT sum(cost) FROM spend_event WHERE org_id = ?", org)));

        JsonNode agents = spend("from=2026-11-28&to=2026-11-30&group_by=agent");
        for (JsonNode row : agents.get("rows")) {
            assertEquals(0, byAgent.get(row.get("agent").asText()).compareTo(row.get("cost").decimalValue()), where);
        }
        JsonNode models = spend("from=2026-11-28T00:00:00Z&to=2026-11-30&group_by=model,provider");
        for (JsonNode row : models.get("rows")) {
            assertEquals(callsByModel.get(row.get("model").asText()), row.get("calls").asLong(), where);
            assertEquals("p", row.get("provider").asText());
        }
        // Only the last day: what was booked after midnight.
        JsonNode second = spend("from=2026-11-29&to=2026-11-30");
        assertEquals(0, byDay.get("2026-11-29").compareTo(second.get("total").get("cost").decimalValue()), where);
    }

    @Test
    void committedReservationsCountAndBudgetGroupingShowsWhatEachBudgetBooked() throws Exception {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "100");
        Fixtures.pool(org, "engineering-pool", "daily", "50", "research-bot");
        String id = given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"research-bot\",\"amount\":0.5,\"model\":\"gpt-4o\",\"provider\":\"openai\"}")
                .post("/v1/reservations").then().statusCode(201).extract().path("id");
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"cost\":0.123456789,\"input_tokens\":10,\"output_tokens\":20}")
                .post("/v1/reservations/" + id + "/commit").then().statusCode(200);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"support-agent\",\"cost\":1.000000001}]}")
                .post("/v1/ingest").then().statusCode(202);

        JsonNode all = spend("group_by=agent&group_by=provider");
        assertEquals("research-bot", all.get("rows").get(0).get("agent").asText());
        assertEquals("openai", all.get("rows").get(0).get("provider").asText());
        assertEquals(0, new BigDecimal("0.123456789").compareTo(all.get("rows").get(0).get("cost").decimalValue()));
        assertEquals(20, all.get("rows").get(0).get("output_tokens").asLong());
        assertEquals("support-agent", all.get("rows").get(1).get("agent").asText());
        assertEquals(true, all.get("rows").get(1).get("provider").isNull());
        assertEquals(0, new BigDecimal("1.123456790").compareTo(all.get("total").get("cost").decimalValue()));

        JsonNode budgets = spend("group_by=budget");
        assertEquals(2, budgets.get("rows").size());
        assertEquals("org:daily", budgets.get("rows").get(0).get("budget").asText());
        assertEquals(0, new BigDecimal("1.123456790").compareTo(budgets.get("rows").get(0).get("cost").decimalValue()));
        assertEquals("shared:engineering-pool:daily", budgets.get("rows").get(1).get("budget").asText());
        assertEquals(0, new BigDecimal("0.123456789").compareTo(budgets.get("rows").get(1).get("cost").decimalValue()));
    }

    @Test
    void rowsArePagedAndEmptyRangesAnswerZeros() throws Exception {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        String key = Fixtures.apiKey(org);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"a\",\"cost\":1},{\"agent_name\":\"b\",\"cost\":2},{\"agent_name\":\"c\",\"cost\":3}]}")
                .post("/v1/ingest").then().statusCode(202);
        JsonNode first = spend("group_by=agent&limit=2");
        assertEquals(2, first.get("rows").size());
        assertEquals(true, first.get("has_more").asBoolean());
        assertEquals(2, first.get("next_offset").asInt());
        JsonNode second = spend("group_by=agent&limit=2&offset=2");
        assertEquals("c", second.get("rows").get(0).get("agent").asText());
        assertEquals(false, second.get("has_more").asBoolean());
        JsonNode none = spend("from=2025-01-01&to=2025-01-31");
        assertEquals(0, none.get("rows").size());
        assertEquals(0, none.get("total").get("calls").asLong());
        assertEquals("2025-01-01", none.get("from").asText());
        // Defaults: the 30 days up to and including today.
        JsonNode defaults = spend("limit=100");
        assertEquals("2026-10-30", defaults.get("from").asText());
        assertEquals("2026-11-29", defaults.get("to").asText());
        assertEquals(1, defaults.get("rows").size());
    }

    @Test
    void badParametersAnswer422ListingEveryProblem() {
        given().auth().oauth2(admin).get("/v1/spend?from=yesterday&to=2026-11-28T10:00:00Z&group_by=agent,colour&limit=0&offset=-1")
                .then().statusCode(422).contentType("application/problem+json")
                .body("errors.field", containsInAnyOrder("from", "to", "group_by", "limit", "offset"));
        given().auth().oauth2(admin).get("/v1/spend?from=2024-01-01&to=2026-01-01")
                .then().statusCode(422).body("errors", hasSize(1)).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(admin).get("/v1/spend?from=2026-01-02&to=2026-01-01")
                .then().statusCode(422).body("errors[0].field", equalTo("to"));
        given().auth().oauth2(admin).queryParam("from", "+999999999-01-01").queryParam("to", "+999999999-01-02")
                .get("/v1/spend").then().statusCode(422).body("errors.field", containsInAnyOrder("from", "to"));
        given().auth().oauth2(admin).get("/v1/spend?from=0001-01-01&to=0001-01-02").then().statusCode(422);
        given().auth().oauth2(admin).get("/v1/refusals?limit=1000").then().statusCode(422);
    }

    @Test
    void readersOnlyAndOnlyTheirOrg() throws Exception {
        String key = Fixtures.apiKey(org);
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"a\",\"cost\":1}]}").post("/v1/ingest").then().statusCode(202);
        given().auth().oauth2(Tokens.viewer(org)).get("/v1/spend").then().statusCode(200).body("total.calls", equalTo(1));
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).get("/v1/spend").then().statusCode(200)
                .body("total.calls", equalTo(0));
        given().get("/v1/spend").then().statusCode(401);
        given().auth().oauth2(key).get("/v1/spend").then().statusCode(403);
        given().get("/v1/refusals").then().statusCode(401);
    }

    @Test
    void refusalsAreRecordedOncePerAgentReasonAndBudgetWithCountAndLastTime() {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        String key = Fixtures.apiKey(org);
        Fixtures.agentBudget(org, "research-bot", "daily", "1");
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"research-bot\",\"amount\":2}")
                    .post("/v1/reservations").then().statusCode(429);
            MutableClock.get().advance(Duration.ofSeconds(1));
        }
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":1.5}]}").post("/v1/ingest").then().statusCode(429);
        given().auth().oauth2(admin).contentType("application/json").body("{}").post("/v1/agents/support-agent/pause")
                .then().statusCode(200);
        MutableClock.get().advance(Duration.ofSeconds(1));
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"support-agent\",\"amount\":1}")
                .post("/v1/reservations").then().statusCode(429);

        given().auth().oauth2(Tokens.viewer(org)).get("/v1/refusals").then().statusCode(200)
                .body("refusals", hasSize(3))
                .body("refusals[0].agent", equalTo("support-agent"))
                .body("refusals[0].reason", equalTo("agent_paused"))
                .body("refusals[0]", hasKey("budget_key"))
                .body("refusals[0].budget_key", equalTo(null))
                .body("refusals[1].kind", equalTo("ingest"))
                .body("refusals[1].reason", equalTo("agent_budget_exceeded"))
                .body("refusals[2].kind", equalTo("reservation"))
                .body("refusals[2].budget_key", equalTo("agent:research-bot:daily"))
                .body("refusals[2].count", equalTo(3))
                .body("refusals[2].first_at", equalTo("2026-11-28T10:00:00Z"))
                .body("refusals[2].last_at", equalTo("2026-11-28T10:00:02Z"));
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).get("/v1/refusals").then().body("refusals", hasSize(0));
    }

    private JsonNode spend(String query) throws Exception {
        String body = given().auth().oauth2(admin).get("/v1/spend?" + query).then().statusCode(200)
                .contentType("application/json").extract().asString();
        return JSON.readTree(body);
    }
}
