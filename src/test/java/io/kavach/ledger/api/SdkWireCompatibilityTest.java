package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replays, byte for byte, the requests the unchanged AgentKavach Python SDK sends to its backend
 * (see docs/sdk-compatibility.md): the exporter's gzipped {@code POST /v1/ingest} batches (httpx,
 * {@code json.dumps} default separators and ASCII escaping) and the client's start-up
 * {@code POST /v1/sync-config} (urllib, not compressed). The payloads are described here from the
 * SDK's documented wire format; none of its code is used. Asserts what the SDK acts on: the status
 * code, the 429 body's {@code reason}, and a numeric {@code Retry-After}.
 */
@QuarkusTest
class SdkWireCompatibilityTest {

    /** RestAssured must not append "; charset=…" to the SDK's bare application/json. */
    private static final RestAssuredConfig EXACT = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().appendDefaultContentCharsetToContentTypeIfUndefined(false));

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    // ---- ingest -------------------------------------------------------------------------------

    @Test
    void a512EventGzippedExportIs202AndEveryEventIsBookedOnce() throws IOException {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.pool(org, "engineering-pool", "daily", "500", "research-bot", "unknown");
        Fixtures.agentBudget(org, "research-bot", "daily", "100");
        Fixtures.orgBudget(org, "monthly", "1000");
        List<String> events = new ArrayList<>();
        BigDecimal total = BigDecimal.ZERO;
        BigDecimal researchBot = BigDecimal.ZERO;
        for (int i = 0; i < 512; i++) {
            SdkEvent e = SdkEvent.variant(i);
            events.add(e.json());
            total = total.add(e.booked());
            if (e.agent.equals("research-bot")) {
                researchBot = researchBot.add(e.booked());
            }
        }
        String body = batch(events);

        exporter(gzip(body)).post("/v1/ingest").then()
                .statusCode(202)
                .body("accepted", equalTo(512)).body("duplicates", equalTo(0)).body("rejected", empty());
        assertEquals(512, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        assertEquals(0, total.compareTo(spent("shared", "engineering-pool")));
        assertEquals(0, total.compareTo(spent("org", null)));
        assertEquals(0, researchBot.compareTo(spent("agent", "research-bot")));
        // The SDK's defaults and optional members are read, not mangled.
        assertEquals(64, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ? AND status = 'error'", org));
        assertEquals(64, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ? AND status IS NULL", org));
        assertEquals(64, Fixtures.queryLong("SELECT count(*) FROM spend_event e JOIN agent a ON a.id = e.agent_id "
                + "WHERE e.org_id = ? AND a.name = 'unknown' AND e.model = 'unknown' AND e.provider = 'unknown' "
                + "AND e.input_tokens = 0 AND e.output_tokens = 0 AND e.cost = 0 AND e.run_id IS NULL", org));
        assertEquals(1, Fixtures.queryLong("SELECT count(DISTINCT occurred_at) FROM spend_event WHERE org_id = ? "
                + "AND occurred_at = '2026-11-28T09:59:00Z'", org));

        // compress=False (httpx json=…: compact separators, UTF-8) and the buffer replay in
        // 512-event chunks: the same idempotency keys, so nothing is counted twice.
        exporter(body.replace(", \"", ",\"").replace("\": ", "\":").getBytes(StandardCharsets.UTF_8), false)
                .post("/v1/ingest").then()
                .statusCode(202).body("accepted", equalTo(0)).body("duplicates", equalTo(512));
        exporter(gzip(body)).post("/v1/ingest").then().statusCode(202).body("duplicates", equalTo(512));
        assertEquals(0, total.compareTo(spent("org", null)));
        assertEquals(512, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        noDrift();
    }

    @Test
    void exhaustionIs429WithReasonAndNumericRetryAfterAndRetriesAreCountedOnce() throws IOException {
        MutableClock.get().pin(Instant.parse("2026-11-28T23:00:00Z"));
        Fixtures.agentBudget(org, "research-bot", "daily", "1");
        List<String> events = List.of(
                new SdkEvent("research-bot", "0.5", "2026-11-28T22:59:01.000250+00:00", "error", null).json(),
                new SdkEvent("research-bot", "0.5", "2026-11-28T22:59:02+00:00", "success", null).json(),
                new SdkEvent("research-bot", "0.25", "2026-11-28T22:59:03.5+00:00", "success", "hi").json());
        byte[] body = gzip(batch(events));

        // To the SDK an exhausted agent budget is answered with the reason it stops on (ADR 0007);
        // the truthful one stays in the body.
        exporter(body).post("/v1/ingest").then()
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .header("Retry-After", "3600")
                .body("reason", equalTo("org_budget_exceeded"))
                .body("ledger_reason", equalTo("agent_budget_exceeded"))
                .body("reasons", contains("agent_budget_exceeded"))
                .body("rejected_agents", contains("research-bot"))
                .body("recorded", equalTo(3)).body("duplicates", equalTo(0));
        // A buffer replay of the same body (replays do not read the reason) is counted once.
        for (int attempt = 0; attempt < 4; attempt++) {
            exporter(body).post("/v1/ingest").then()
                    .statusCode(429)
                    .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                    .body("reason", equalTo("org_budget_exceeded"))
                    .body("recorded", equalTo(0)).body("duplicates", equalTo(3));
        }
        assertEquals(0, new BigDecimal("1.25").compareTo(spent("agent", "research-bot")));
        assertEquals(3, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));

        // Once the org budget is exhausted too, the truthful reason is the SDK's own code.
        Fixtures.orgBudget(org, "daily", "0.25");
        exporter(gzip(batch(List.of(new SdkEvent("research-bot", "0.3", "2026-11-28T22:59:30.1+00:00", "success", null).json()))))
                .post("/v1/ingest").then()
                .statusCode(429)
                .header("Retry-After", matchesPattern("[1-9][0-9]*"))
                .body("reason", equalTo("org_budget_exceeded"))
                .body("reasons", contains("org_budget_exceeded", "agent_budget_exceeded"))
                .body("recorded", equalTo(1));
        assertEquals(0, new BigDecimal("1.55").compareTo(spent("agent", "research-bot")));
        noDrift();
    }

    @Test
    void badKeysAre401AndNonSdkCredentialsAre403SoTheSdkDropsTheBatch() throws IOException {
        byte[] body = gzip(batch(List.of(new SdkEvent("research-bot", "0.1", null, "success", null).json())));
        exporterWithKey("ak_prod_" + "x".repeat(32), body, true).post("/v1/ingest").then().statusCode(401);
        exporterWithKey("cg_legacy_key", body, true).post("/v1/ingest").then().statusCode(401);
        String revoked = Fixtures.apiKey(org);
        Fixtures.execute("UPDATE api_key SET revoked_at = now() WHERE key_hash = ?",
                (Object) io.kavach.ledger.security.ApiKeys.hash(revoked));
        exporterWithKey(revoked, body, true).post("/v1/ingest").then().statusCode(401);
        exporterWithKey(Tokens.admin(org), body, true).post("/v1/ingest").then().statusCode(403);
        syncConfig("ak_prod_" + "y".repeat(32), "{\"agent_name\": \"research-bot\", \"budgets\": [], "
                + "\"alert_configs\": [], \"org_budget\": null}").then().statusCode(401);
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
    }

    @Test
    void agentNamesTheSdkAllowsAreBookedAndReadableThroughAPercentEncodedPath() throws IOException {
        // The SDK does not restrict agent names: a name with a space, '#' or an accent is an
        // agent like any other, and its spend must never be dropped.
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        Fixtures.agentBudget(org, "Research Bot", "daily", "10");
        exporter(gzip(batch(List.of(
                new SdkEvent("Research Bot", "0.1", "2026-11-28T09:00:00+00:00", "success", null).json(),
                new SdkEvent("worker#1", "0.2", "2026-11-28T09:00:00+00:00", "success", null).json(),
                new SdkEvent("agent-\u00e9", "0.3", "2026-11-28T09:00:00+00:00", "success", null).json()))))
                .post("/v1/ingest").then()
                .statusCode(202).body("accepted", equalTo(3)).body("rejected", empty());
        given().urlEncodingEnabled(false).auth().oauth2(key).get("/v1/agents/Research%20Bot/budget").then().statusCode(200)
                .body("agent", equalTo("Research Bot"))
                .body("binding", equalTo("agent:Research Bot:daily"))
                .body("budgets[0].spent", equalTo(0.1f));
        // Composed and decomposed spellings of the same name are one agent (stored as NFC).
        given().urlEncodingEnabled(false).auth().oauth2(key).get("/v1/agents/agent-e%CC%81/budget").then().statusCode(200)
                .body("agent", equalTo("agent-\u00e9"));
        assertEquals(3, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ?", org));
    }

    @Test
    void agentNamesWithControlOrBidiCharactersAreRejectedPerEventAndBatchMatesStillCount() throws IOException {
        MutableClock.get().pin(Instant.parse("2026-11-28T10:00:00Z"));
        exporter(gzip(batch(List.of(
                new SdkEvent("bad\u0000name", "0.1", "2026-11-28T09:00:00+00:00", "success", null).json(),
                new SdkEvent("evil\u202egnp.exe", "0.1", "2026-11-28T09:00:00+00:00", "success", null).json(),
                new SdkEvent("default", "0.2", "2026-11-28T09:00:00+00:00", "success", null).json()))))
                .post("/v1/ingest").then()
                .statusCode(202).body("accepted", equalTo(1))
                .body("rejected.index", contains(0, 1)).body("rejected[0].errors.field", contains("agent_name"));
    }

    // ---- sync-config --------------------------------------------------------------------------

    /** Budget.daily(25), every per-run guardrail, inline channels of every type, no org budget. */
    private static final String SYNC_DAILY_WITH_GUARDRAILS_AND_CHANNELS = "{\"agent_name\": \"research-bot\", "
            + "\"budgets\": [{\"budget_type\": \"cost\", \"period\": \"daily\", \"limit_value\": 25, \"unit\": \"usd\"}, "
            + "{\"budget_type\": \"tokens_total\", \"period\": \"per_run\", \"limit_value\": 200000.0, \"unit\": \"tokens\"}, "
            + "{\"budget_type\": \"calls\", \"period\": \"per_run\", \"limit_value\": 50.0, \"unit\": \"calls\"}, "
            + "{\"budget_type\": \"duration\", \"period\": \"per_run\", \"limit_value\": 300000.0, \"unit\": \"ms\"}, "
            + "{\"budget_type\": \"loops\", \"period\": \"per_run\", \"limit_value\": 3.0, \"unit\": \"loops\"}], "
            + "\"alert_configs\": ["
            + "{\"channel\": \"email\", \"threshold_pct\": 0.5, \"budget_type\": \"cost\", \"dispatch\": \"backend\", \"target\": \"team@acme.com\"}, "
            + "{\"channel\": \"slack\", \"threshold_pct\": 0.8, \"budget_type\": \"cost\", \"dispatch\": \"backend\", "
            + "\"target\": \"https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX\"}, "
            + "{\"channel\": \"webhook\", \"threshold_pct\": 0.8, \"budget_type\": \"cost\", \"dispatch\": \"backend\", "
            + "\"target\": \"https://hooks.acme.com/kavach\", \"secret\": \"whsec_do_not_show\"}, "
            + "{\"channel\": \"pagerduty\", \"threshold_pct\": 0.95, \"budget_type\": \"cost\", \"dispatch\": \"backend\", "
            + "\"target\": \"R0UTINGKEY0000000000000000000000\"}, "
            + "{\"channel\": \"kill\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"webhook\", \"threshold_pct\": 0.9, \"budget_type\": \"tokens_total\", \"dispatch\": \"sdk\"}], "
            + "\"org_budget\": null}";

    /** Budget.monthly(300.0) with Budget.org_budget(500.0, "monthly"): alert configs move to org level. */
    private static final String SYNC_MONTHLY_WITH_ORG_BUDGET = "{\"agent_name\": \"support-agent\", "
            + "\"budgets\": [{\"budget_type\": \"cost\", \"period\": \"monthly\", \"limit_value\": 300.0, \"unit\": \"usd\"}], "
            + "\"alert_configs\": [], "
            + "\"org_budget\": {\"budget_type\": \"cost\", \"period\": \"monthly\", \"limit_value\": 500.0, \"unit\": \"usd\"}, "
            + "\"org_alert_configs\": [{\"channel\": \"email\", \"threshold_pct\": 0.7, \"budget_type\": \"cost\", "
            + "\"dispatch\": \"backend\"}, {\"channel\": \"email\", \"threshold_pct\": 0.9, \"budget_type\": \"cost\", "
            + "\"dispatch\": \"backend\"}, {\"channel\": \"slack\", \"threshold_pct\": 0.9, \"budget_type\": \"cost\", "
            + "\"dispatch\": \"backend\"}, {\"channel\": \"kill\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", "
            + "\"dispatch\": \"backend\"}]}";

    /** Budget.total(1000) with the default alert rules and no channels (legacy path: no targets). */
    private static final String SYNC_TOTAL_DEFAULT_RULES = "{\"agent_name\": \"batch-job\", "
            + "\"budgets\": [{\"budget_type\": \"cost\", \"period\": \"total\", \"limit_value\": 1000, \"unit\": \"usd\"}], "
            + "\"alert_configs\": [{\"channel\": \"email\", \"threshold_pct\": 0.7, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"email\", \"threshold_pct\": 0.9, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"slack\", \"threshold_pct\": 0.9, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"email\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"slack\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"pagerduty\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}, "
            + "{\"channel\": \"kill\", \"threshold_pct\": 1.0, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}], "
            + "\"org_budget\": null}";

    /**
     * budget=Budget.org_budget(50) only: the SDK routes it to org_budget and falls back to its
     * default Budget.daily(limit=100.0) for the agent itself.
     */
    private static final String SYNC_ORG_ONLY_WITH_DEFAULT_AGENT_BUDGET = "{\"agent_name\": \"default\", "
            + "\"budgets\": [{\"budget_type\": \"cost\", \"period\": \"daily\", \"limit_value\": 100.0, \"unit\": \"usd\"}], "
            + "\"alert_configs\": [], "
            + "\"org_budget\": {\"budget_type\": \"cost\", \"period\": \"daily\", \"limit_value\": 50, \"unit\": \"usd\"}, "
            + "\"org_alert_configs\": [{\"channel\": \"email\", \"threshold_pct\": 0.7, \"budget_type\": \"cost\", \"dispatch\": \"backend\"}]}";

    @Test
    void everySyncConfigPayloadTheSdkBuildsIs200() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        syncConfig(key, SYNC_DAILY_WITH_GUARDRAILS_AND_CHANNELS).then()
                .statusCode(200)
                .body("budgets.key", contains("agent:research-bot:daily"))
                .body("budgets[0].limit_value", equalTo(25.0f))
                .body("org_budget", equalTo(null))
                .body("stored.guardrails", equalTo(4))
                .body("stored.alert_configs", equalTo(6))
                .body("stored.unenforced_budgets", equalTo(0));
        syncConfig(key, SYNC_MONTHLY_WITH_ORG_BUDGET).then()
                .statusCode(200)
                .body("budgets.key", contains("agent:support-agent:monthly"))
                .body("org_budget.key", equalTo("org:monthly"))
                .body("org_budget.action", equalTo("created"))
                .body("stored.org_alert_configs", equalTo(4));
        syncConfig(key, SYNC_TOTAL_DEFAULT_RULES).then()
                .statusCode(200)
                .body("budgets.key", contains("agent:batch-job:total"))
                .body("stored.alert_configs", equalTo(7));
        syncConfig(key, SYNC_ORG_ONLY_WITH_DEFAULT_AGENT_BUDGET).then()
                .statusCode(200)
                .body("budgets.key", contains("agent:default:daily"))
                .body("org_budget.key", equalTo("org:daily"))
                .body("org_budget.action", equalTo("created"));
        // Every SDK process syncs at start-up: a restart with a different org limit keeps the admin's.
        syncConfig(key, SYNC_MONTHLY_WITH_ORG_BUDGET.replace("500.0", "5000.0")).then()
                .statusCode(200).body("org_budget.action", equalTo("kept_existing")).body("changes", empty());
        given().auth().oauth2(Tokens.admin(org)).get("/v1/org/budgets").then()
                .statusCode(200)
                .body("budgets.key", containsInAnyOrder("org:monthly", "org:daily"))
                .body("budgets.find { it.key == 'org:monthly' }.limit_value", equalTo(500.0f));
    }

    @Test
    void syncedAlertChannelCredentialsAreNotShownToReaders() {
        syncConfig(key, SYNC_DAILY_WITH_GUARDRAILS_AND_CHANNELS).then().statusCode(200);
        String agents = given().auth().oauth2(Tokens.viewer(org)).get("/v1/agents").then()
                .statusCode(200)
                .body("agents[0].sdk_config.guardrails.budget_type", contains("tokens_total", "calls", "duration", "loops"))
                .body("agents[0].sdk_config.alert_configs.channel",
                        contains("email", "slack", "webhook", "pagerduty", "kill", "webhook"))
                .body("agents[0].sdk_config.alert_configs[0].target", equalTo("team@acme.com"))
                .body("agents[0].sdk_config.alert_configs[2].target", equalTo("https://hooks.acme.com/kavach"))
                .body("agents[0].sdk_config.alert_configs[2].secret", equalTo("[redacted]"))
                .body("agents[0].sdk_config.alert_configs[1].target", equalTo("[redacted]"))
                .body("agents[0].sdk_config.alert_configs[3].target", equalTo("[redacted]"))
                .extract().asString();
        assertThat(agents, not(containsString("whsec_do_not_show")));
        assertThat(agents, not(containsString("hooks.slack.com")));
        assertThat(agents, not(containsString("R0UTINGKEY")));
    }

    // ---- the SDK's requests -------------------------------------------------------------------

    /** The exporter: httpx.Client with the SDK's headers, gzip by default. */
    private RequestSpecification exporter(byte[] body) {
        return exporterWithKey(key, body, true);
    }

    private RequestSpecification exporter(byte[] body, boolean gzipped) {
        return exporterWithKey(key, body, gzipped);
    }

    private static RequestSpecification exporterWithKey(String apiKey, byte[] body, boolean gzipped) {
        RequestSpecification request = given().config(EXACT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("User-Agent", "agentkavach-sdk/0.1.0")
                .header("Accept", "*/*")
                .header("Accept-Encoding", "gzip, deflate")
                .body(body);
        return gzipped ? request.header("Content-Encoding", "gzip") : request;
    }

    /** The client's config sync: urllib.request, json.dumps(payload).encode(), no compression. */
    private static io.restassured.response.Response syncConfig(String apiKey, String payload) {
        return given().config(EXACT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Python-urllib/3.12")
                .header("Accept-Encoding", "identity")
                .body(payload.getBytes(StandardCharsets.UTF_8))
                .post("/v1/sync-config");
    }

    /** One event as sender._span_to_event builds it, serialised as json.dumps does. */
    private record SdkEvent(String agent, String model, String provider, long input, long output, String cost,
                            long durationMs, String timestamp, String key, String runId, String prompt, String status) {

        SdkEvent(String agent, String cost, String timestamp, String status, String prompt) {
            this(agent, "gpt-4o", "openai", 1200, 300, cost, 842, timestamp == null ? "2026-11-28T09:59:58.123456+00:00" : timestamp,
                    UUID.randomUUID().toString(), "7d9f3c1e-5b0a-4c8e-9a51-0f3b2d6e8a10", prompt, status);
        }

        /** Eight shapes the SDK produces, cycled over a batch. */
        static SdkEvent variant(int i) {
            String key = UUID.nameUUIDFromBytes(("evt-" + i).getBytes(StandardCharsets.UTF_8)).toString();
            String micros = String.format("2026-11-28T09:%02d:%02d.%06d+00:00", 10 + i % 40, i % 60, 1 + i * 997 % 999_999);
            return switch (i % 8) {
                // A successful OpenAI call with the measured latency.
                case 0 -> new SdkEvent("research-bot", "gpt-4o", "openai", 1520, 310, "0.0076", 1834, micros, key, "run-a", null, "success");
                // A provider failure: cost and tokens 0, status "error".
                case 1 -> new SdkEvent("research-bot", "claude-sonnet-4-20250514", "anthropic", 0, 0, "0.0", 2210, micros, key, "run-a", null, "error");
                // Every attribute missing: the exporter's defaults.
                case 2 -> new SdkEvent("unknown", "unknown", "unknown", 0, 0, "0.0", 0, micros, key, null, null, null);
                // Python's repr of small floats uses exponents.
                case 3 -> new SdkEvent("research-bot", "gpt-4o-mini", "openai", 12, 3, "2.5e-06", 91, micros, key, "run-b", null, "success");
                // save_prompts=True: up to 2,048 characters, non-ASCII escaped, truncation marker.
                case 4 -> new SdkEvent("research-bot", "gemini-1.5-pro", "google", 4000, 800, "0.30000000000000004", 0, micros, key,
                        "run-b", LONG_PROMPT, "success");
                // A whole-second start time: isoformat() omits the fraction.
                case 5 -> new SdkEvent("unknown", "mistral-large-latest", "mistral", 640, 128, "0.000123", 402,
                        i == 5 ? "2026-11-28T09:59:00+00:00" : micros, key, "run-c", "Summarise: caf\u00e9 \"quoted\"\n\ttab", "success");
                case 6 -> new SdkEvent("research-bot", "gpt-4o", "openai", 100000, 4096, "1e-05", 12000, micros, key, "run-c", null, "success");
                // A stream: duration 0, no latency attribute.
                default -> new SdkEvent("research-bot", "gpt-4o", "openai", 900, 2048, "0.02273", 0, micros, key, "run-d", null, "success");
            };
        }

        /** What the ledger books: the cost rounded half-even to 9 places. */
        BigDecimal booked() {
            return new BigDecimal(cost).setScale(9, RoundingMode.HALF_EVEN);
        }

        String json() {
            StringBuilder out = new StringBuilder("{");
            out.append("\"agent_name\": ").append(py(agent))
                    .append(", \"model\": ").append(py(model))
                    .append(", \"provider\": ").append(py(provider))
                    .append(", \"input_tokens\": ").append(input)
                    .append(", \"output_tokens\": ").append(output)
                    .append(", \"cost\": ").append(cost)
                    .append(", \"duration_ms\": ").append(durationMs)
                    .append(", \"timestamp\": ").append(py(timestamp));
            if (key != null) {
                out.append(", \"idempotency_key\": ").append(py(key));
            }
            if (runId != null) {
                out.append(", \"run_id\": ").append(py(runId));
            }
            if (prompt != null) {
                out.append(", \"prompt\": ").append(py(prompt));
            }
            if (status != null) {
                out.append(", \"status\": ").append(py(status));
            }
            return out.append("}").toString();
        }
    }

    /** A prompt cut to the SDK's 2,048-character cap with its "... [truncated]" marker. */
    private static final String LONG_PROMPT;

    static {
        StringBuilder prompt = new StringBuilder();
        while (prompt.length() < 2033) {
            prompt.append("R\u00e9sum\u00e9 the \"Q3\" report \uD83D\uDE80\n");
        }
        LONG_PROMPT = prompt.substring(0, 2033) + "... [truncated]";
    }

    /** A JSON string as Python's json.dumps writes it (ensure_ascii=True). */
    private static String py(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static String batch(List<String> events) {
        return "{\"events\": [" + String.join(", ", events) + "]}";
    }

    private static byte[] gzip(String body) {
        return Fixtures.gzip(body);
    }

    private BigDecimal spent(String scope, String name) {
        return Fixtures.spentAt(org, scope, name, MutableClock.get().instant());
    }

    private void noDrift() {
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }
}
