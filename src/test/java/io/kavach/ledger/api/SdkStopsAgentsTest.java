package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.SdkExporterModel;
import io.kavach.ledger.testing.SdkExporterModel.Call;
import io.kavach.ledger.testing.SdkExporterModel.Decision;
import io.kavach.ledger.testing.SdkExporterModel.Exchange;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every exhausted budget and every pause stops an agent of the unchanged AgentKavach SDK 2.1.0:
 * its exporter, modelled after its code ({@link SdkExporterModel}), talks to the running service,
 * and the test asserts what the SDK would do — stop the client ({@code IngestRejectedError} on the
 * next call, {@code on_kill} once), retry, buffer or drop — while other clients keep the truthful
 * reason (ADR 0007).
 */
@QuarkusTest
class SdkStopsAgentsTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    @TestHTTPResource("/")
    URI base;

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
    void anExhaustedPoolStopsTheAgentThatReportedAndEveryOtherMemberAsSoonAsItReports() throws Exception {
        Fixtures.pool(org, "engineering-pool", "daily", "1", "research-bot", "support-agent");
        SdkExporterModel research = sdk("research-bot");
        SdkExporterModel support = sdk("support-agent");
        SdkExporterModel outsider = sdk("billing-bot");

        // research-bot's calls exhaust the pool; its next export is answered so that the SDK stops it.
        assertEquals(Call.LLM_CALLED, research.call(event("research-bot", "0.6")));
        assertEquals(Call.LLM_CALLED, research.call(event("research-bot", "0.6")));
        research.flush();
        Exchange stop = single(research.exchanges());
        assertEquals(429, stop.status());
        assertEquals("org_budget_exceeded", stop.reason());
        assertEquals(Decision.STOP, stop.decision());
        assertTrue(stop.body().contains("\"ledger_reason\":\"shared_budget_exceeded\""), stop.body());
        assertTrue(stop.body().contains("\"rejected_agents\":[\"research-bot\"]"), stop.body());
        assertTrue(research.paused());
        assertEquals(0, research.buffered(), "a permanent reject is not buffered");

        // The next call raises IngestRejectedError before the LLM; on_kill runs once, not on every call.
        assertEquals(Call.INGEST_REJECTED, research.call(event("research-bot", "0.1")));
        assertEquals(Call.INGEST_REJECTED, research.call(event("research-bot", "0.1")));
        assertEquals(List.of("org_budget_exceeded"), research.onKillReasons());
        assertEquals(Set.of("org_budget_exceeded/research-bot"), research.warnings());

        // support-agent knew nothing yet: it stops with its next report, which is still booked.
        assertEquals(Call.LLM_CALLED, support.call(event("support-agent", "0.05")));
        support.flush();
        assertEquals(Decision.STOP, single(support.exchanges()).decision());
        assertEquals(Call.INGEST_REJECTED, support.call(event("support-agent", "0.05")));
        assertEquals(List.of("org_budget_exceeded"), support.onKillReasons());

        // An agent outside the pool is not affected.
        outsider.call(event("billing-bot", "5"));
        outsider.flush();
        assertEquals(Decision.SUCCESS, single(outsider.exchanges()).decision());
        assertEquals(Call.LLM_CALLED, outsider.call(event("billing-bot", "1")));

        // Every reported event was booked, once.
        assertEquals(0, new BigDecimal("1.25").compareTo(Fixtures.spentAt(org, "shared", "engineering-pool", NOW)));
        noDrift();
    }

    @Test
    void anExhaustedAgentBudgetStopsThatAgentOnly() throws Exception {
        Fixtures.agentBudget(org, "research-bot", "daily", "1");
        Fixtures.orgBudget(org, "daily", "100");
        SdkExporterModel research = sdk("research-bot");
        SdkExporterModel support = sdk("support-agent");
        research.call(event("research-bot", "1"));
        support.call(event("support-agent", "1"));
        research.flush();
        support.flush();
        Exchange stop = single(research.exchanges());
        assertEquals("org_budget_exceeded", stop.reason());
        assertTrue(stop.body().contains("\"reasons\":[\"agent_budget_exceeded\"]"), stop.body());
        assertEquals(Call.INGEST_REJECTED, research.call(event("research-bot", "0.1")));
        assertEquals(List.of("org_budget_exceeded"), research.onKillReasons());
        assertEquals(Decision.SUCCESS, single(support.exchanges()).decision());
        assertEquals(Call.LLM_CALLED, support.call(event("support-agent", "0.1")));
    }

    @Test
    void aPausedAgentStopsWithTheSdksAgentStopCodeAndItsEventsAreBooked() throws Exception {
        Fixtures.orgBudget(org, "daily", "100");
        SdkExporterModel research = sdk("research-bot");
        research.call(event("research-bot", "0.25"));
        research.flush();
        assertEquals(Decision.SUCCESS, single(research.exchanges()).decision());

        given().auth().oauth2(Tokens.admin(org)).contentType("application/json").body("{\"reason\":\"runaway loop\"}")
                .post("/v1/agents/research-bot/pause").then().statusCode(200);
        assertEquals(Call.LLM_CALLED, research.call(event("research-bot", "0.25")));
        research.flush();
        Exchange stop = research.exchanges().get(1);
        assertEquals(429, stop.status());
        assertEquals("tier_agent_limit", stop.reason());
        assertEquals(Decision.STOP, stop.decision());
        assertTrue(stop.body().contains("\"ledger_reason\":\"agent_paused\""), stop.body());
        assertEquals(Call.INGEST_REJECTED, research.call(event("research-bot", "0.25")));
        assertEquals(Call.INGEST_REJECTED, research.call(event("research-bot", "0.25")));
        assertEquals(List.of("tier_agent_limit"), research.onKillReasons());
        assertEquals(Set.of("tier_agent_limit/research-bot"), research.warnings());
        assertEquals(0, new BigDecimal("0.5").compareTo(Fixtures.spentAt(org, "org", null, NOW)));

        // After the resume a new SDK process (the SDK stays stopped until restarted) reports again.
        given().auth().oauth2(Tokens.admin(org)).post("/v1/agents/research-bot/resume").then().statusCode(200);
        SdkExporterModel restarted = sdk("research-bot");
        restarted.call(event("research-bot", "0.25"));
        restarted.flush();
        assertEquals(Decision.SUCCESS, single(restarted.exchanges()).decision());
    }

    @Test
    void otherClientsKeepTheTruthfulReason() {
        Fixtures.pool(org, "engineering-pool", "daily", "1", "research-bot");
        String batch = "{\"events\":[{\"agent_name\":\"research-bot\",\"cost\":2,\"idempotency_key\":\"" + UUID.randomUUID() + "\"}]}";
        given().auth().oauth2(key).contentType("application/json").header("User-Agent", "curl/8.5.0").body(batch)
                .post("/v1/ingest").then().statusCode(429)
                .body("reason", equalTo("shared_budget_exceeded"))
                .body("type", equalTo("urn:kavach-ledger:problem:shared_budget_exceeded"))
                .body("reasons", contains("shared_budget_exceeded"))
                .body("rejected_agents", contains("research-bot"))
                .body("$", not(hasKey("ledger_reason")));
    }

    @Test
    void answersTheSdkDropsAreOnlyThoseWhereNothingWasLost() throws Exception {
        // Every event invalid (422) and a revoked key (401) are dropped by the SDK: the first books
        // nothing it could book, the second is an operator's decision.
        SdkExporterModel invalid = sdk("research-bot");
        invalid.export(List.of("{\"agent_name\": \"research-bot\", \"cost\": -1}"));
        assertEquals(Decision.DROP, single(invalid.exchanges()).decision());
        assertEquals(422, single(invalid.exchanges()).status());
        SdkExporterModel unknownKey = new SdkExporterModel(base, "ak_prod_" + "x".repeat(32), "research-bot");
        unknownKey.export(List.of(event("research-bot", "0.1")));
        assertEquals(Decision.DROP_AUTH, single(unknownKey.exchanges()).decision());
        assertFalse(unknownKey.paused());
    }

    private SdkExporterModel sdk(String agent) {
        return new SdkExporterModel(base, key, agent);
    }

    /** One event as sender._span_to_event builds it and json.dumps writes it. */
    static String event(String agent, String cost) {
        return "{\"agent_name\": \"" + agent + "\", \"model\": \"gpt-4o\", \"provider\": \"openai\", "
                + "\"input_tokens\": 1200, \"output_tokens\": 300, \"cost\": " + cost + ", \"duration_ms\": 842, "
                + "\"timestamp\": \"2026-11-28T09:59:58.123456+00:00\", \"idempotency_key\": \"" + UUID.randomUUID()
                + "\", \"run_id\": \"7d9f3c1e-5b0a-4c8e-9a51-0f3b2d6e8a10\", \"status\": \"success\"}";
    }

    private static Exchange single(List<Exchange> exchanges) {
        assertEquals(1, exchanges.size(), exchanges.toString());
        return exchanges.get(0);
    }

    private void noDrift() {
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }
}
