package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IETF RateLimit fields name the budget an answer is bound by, in micro-dollars, with the
 * window's length and the seconds until it resets; a 429 lists the violated policies in its body.
 */
@QuarkusTest
class RateLimitHeadersTest {

    /** 09:30 UTC: a daily window has 14.5 h = 52,200 s left. */
    private static final Instant NOW = Instant.parse("2026-11-28T09:30:00Z");

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(NOW);
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void aHoldAnswersWithTheBudgetThatHasTheLeastLeft() {
        Fixtures.orgBudget(org, "monthly", "1000");
        Fixtures.agentBudget(org, "bot", "daily", "50");
        Fixtures.pool(org, "research-pool", "daily", "10", "bot");

        reserve("bot", "0.25").statusCode(201)
                .header("RateLimit-Policy", equalTo("\"shared:research-pool:daily\";q=10000000;qu=\"usd-micros\";w=86400"))
                .header("RateLimit", equalTo("\"shared:research-pool:daily\";r=9750000;t=52200"));
    }

    @Test
    void aRefusalNamesTheViolatedPolicyAndWhatIsLeftOfIt() {
        Fixtures.agentBudget(org, "bot", "daily", "1.000000");
        reserve("bot", "0.6").statusCode(201);

        reserve("bot", "0.5").statusCode(429)
                .contentType("application/problem+json")
                .header("RateLimit-Policy", equalTo("\"agent:bot:daily\";q=1000000;qu=\"usd-micros\";w=86400"))
                .header("RateLimit", equalTo("\"agent:bot:daily\";r=400000;t=52200"))
                .header("Retry-After", equalTo("52200"))
                .body("reason", equalTo("agent_budget_exceeded"))
                .body("violated-policies", contains("agent:bot:daily"));
    }

    @Test
    void aTotalBudgetHasNoWindowAndNeverResets() {
        Fixtures.agentBudget(org, "bot", "total", "2");

        reserve("bot", "0.0000015").statusCode(201)
                // 1.9999985 USD left: rounded down to whole micro-dollars.
                .header("RateLimit-Policy", equalTo("\"agent:bot:total\";q=2000000;qu=\"usd-micros\""))
                .header("RateLimit", equalTo("\"agent:bot:total\";r=1999998"));
    }

    @Test
    void noBudgetNoFields() {
        reserve("free-agent", "3").statusCode(201)
                .header("RateLimit-Policy", nullValue())
                .header("RateLimit", nullValue());
    }

    @Test
    void anAgentNameBeyondAsciiIsNamedByTheBudgetId() {
        UUID id = Fixtures.agentBudget(org, "agent-é", "daily", "5");

        reserve("agent-é", "1").statusCode(201)
                .header("RateLimit", equalTo("\"budget:" + id + "\";r=4000000;t=52200"));
    }

    @Test
    void ingestAnswersWithTheTightestBudgetOfTheBatchAndListsEveryExhaustedOneWhenItStops() {
        Fixtures.agentBudget(org, "bot-a", "daily", "5");
        Fixtures.agentBudget(org, "bot-b", "monthly", "3");

        ingest("[" + event("bot-a", "1", "e1") + "," + event("bot-b", "1", "e2") + "]").statusCode(202)
                // December starts in 2 d 14.5 h = 225,000 s; November has 30 days.
                .header("RateLimit-Policy", equalTo("\"agent:bot-b:monthly\";q=3000000;qu=\"usd-micros\";w=2592000"))
                .header("RateLimit", equalTo("\"agent:bot-b:monthly\";r=2000000;t=225000"));

        ingest("[" + event("bot-a", "4", "e3") + "," + event("bot-b", "2.5", "e4") + "]").statusCode(429)
                // Both are exhausted; bot-b is over by 0.5, so it is named first (the tightest).
                .header("RateLimit", equalTo("\"agent:bot-b:monthly\";r=0;t=225000"))
                .header("Retry-After", equalTo("52200"))
                .body("violated-policies", containsInAnyOrder("agent:bot-a:daily", "agent:bot-b:monthly"))
                .body("recorded", equalTo(2));
    }

    private io.restassured.response.ValidatableResponse reserve(String agent, String amount) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":" + amount + "}")
                .post("/v1/reservations").then();
    }

    private io.restassured.response.ValidatableResponse ingest(String events) {
        return given().auth().oauth2(key).contentType("application/json").body("{\"events\":" + events + "}")
                .post("/v1/ingest").then();
    }

    private static String event(String agent, String cost, String idempotencyKey) {
        return "{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"idempotency_key\":\"" + idempotencyKey
                + "\",\"timestamp\":\"" + NOW + "\"}";
    }
}
