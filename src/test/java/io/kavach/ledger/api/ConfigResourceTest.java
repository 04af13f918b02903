package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.TestSql;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.config.EncoderConfig;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ConfigResourceTest {

    /** The seed's shared-budgets YAML, verbatim. */
    static final String SEED_SHARED = """
            # agentkavach.yaml
            shared_budgets:
              engineering-pool:
                limit: 500
                period: daily
                agents: [research-bot, support-agent]
            """;

    /** The seed's org-budget YAML, verbatim. */
    static final String SEED_ORG = """
            # agentkavach.yaml
            org_budget:
              limit: 100.00
              period: daily

            agents:
              my-agent:
                budget:
                  daily: 25.00
            """;

    /**
     * Both seed examples in one file. The org example brings an agents section, so (as the seed
     * says) the pool's members must be defined there too.
     */
    static final String SEED_BOTH = SEED_ORG + "  research-bot:\n  support-agent:\n\n"
            + SEED_SHARED.replace("# agentkavach.yaml\n", "");

    private static final String DAY = "2026-11-28T00:00:00Z";
    private static final String NEXT_DAY = "2026-11-29T00:00:00Z";

    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @BeforeEach
    void pinClock() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        // RestAssured sends YAML bodies as the text they are.
        RestAssured.config = RestAssured.config().encoderConfig(EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", ContentType.TEXT)
                .encodeContentTypeAs("application/x-yaml", ContentType.TEXT)
                .encodeContentTypeAs("text/yaml", ContentType.TEXT));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void seedSharedBudgetsYamlAppliesVerbatim() {
        put(SEED_SHARED).statusCode(200)
                .body("dry_run", equalTo(false))
                .body("changes", hasSize(1))
                .body("changes[0].action", equalTo("create"))
                .body("changes[0].key", equalTo("shared:engineering-pool:daily"))
                .body("changes[0].from", nullValue())
                .body("changes[0].to.limit_value", equalTo(500.0f))
                .body("changes[0].to.agents", contains("research-bot", "support-agent"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().statusCode(200)
                .body("key", equalTo("shared:engineering-pool:daily"))
                .body("limit_value", equalTo(500.0f))
                .body("agents", contains("research-bot", "support-agent"));
    }

    @Test
    void seedOrgBudgetYamlAppliesVerbatim() {
        put(SEED_ORG).statusCode(200)
                .body("changes.key", contains("org:daily", "agent:my-agent:daily"))
                .body("changes.action", contains("create", "create"));
        given().auth().oauth2(admin).when().get("/v1/agents/my-agent/budget")
                .then().statusCode(200)
                .body("budgets.key", contains("org:daily", "agent:my-agent:daily"))
                .body("budgets.limit_value", contains(100.0f, 25.0f))
                .body("binding", equalTo("agent:my-agent:daily"));
    }

    @Test
    void bothSeedExamplesPastedTogetherAreRefusedForTheUndefinedPoolMembers() {
        // The SDK refuses this file too: with an agents section, every pool member is defined there.
        put(SEED_ORG + "\n" + SEED_SHARED.replace("# agentkavach.yaml\n", "")).statusCode(422)
                .body("errors.field", contains("shared_budgets.engineering-pool.agents[0]",
                        "shared_budgets.engineering-pool.agents[1]"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets").then().body("shared_budgets", empty());
    }

    @Test
    void bothSeedExamplesCombinedApplyAndReapplyingChangesNothing() {
        String combined = SEED_BOTH;
        put(combined).statusCode(200)
                .body("changes.key", contains("org:daily", "shared:engineering-pool:daily", "agent:my-agent:daily"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().statusCode(200).body("limit_value", equalTo(500.0f))
                .body("agents", contains("research-bot", "support-agent"));
        given().auth().oauth2(admin).when().get("/v1/agents/research-bot/budget")
                .then().body("budgets.key", contains("org:daily", "shared:engineering-pool:daily"));
        put(combined).statusCode(200).body("changes", empty());
        // The other media types of YAML are accepted too.
        putAs(combined, "application/x-yaml").statusCode(200).body("changes", empty());
        putAs(combined, "text/yaml").statusCode(200).body("changes", empty());
        putAs(combined, "text/plain").statusCode(415);
    }

    @Test
    void eachSeedRuleBrokenAloneIs422WithItsPath() {
        assertErrors("shared_budgets:\n  p:\n    limit: 0\n    period: daily\n", "shared_budgets.p.limit");
        assertErrors("shared_budgets:\n  p:\n    limit: -5\n    period: daily\n", "shared_budgets.p.limit");
        assertErrors("shared_budgets:\n  p:\n    limit: 1000000000001\n    period: daily\n", "shared_budgets.p.limit");
        assertErrors("shared_budgets:\n  p:\n    limit: \"500\"\n    period: daily\n", "shared_budgets.p.limit");
        assertErrors("shared_budgets:\n  p:\n    period: daily\n", "shared_budgets.p.limit");
        assertErrors("shared_budgets:\n  p:\n    limit: 5\n    period: weekly\n", "shared_budgets.p.period");
        assertErrors("org_budget:\n  limit: 0\n  period: daily\n", "org_budget.limit");
        assertErrors("org_budget:\n  limit: 10\n  period: weekly\n", "org_budget.period");
        assertErrors("agents:\n  a:\n    budget:\n      daily: 0\n", "agents.a.budget.daily");
        assertErrors("agents:\n  a:\n    budget:\n      weekly: 5\n", "agents.a.budget.weekly");
        assertErrors("""
                shared_budgets:
                  engineering-pool:
                    limit: 500
                    period: daily
                    agents: [research-bot, support-agent]
                agents:
                  research-bot:
                    budget:
                      daily: 25
                """, "shared_budgets.engineering-pool.agents[1]");
        assertErrors("shared_budgets:\n  bad/pool:\n    limit: 5\n    period: daily\n", "shared_budgets.bad/pool");
        assertErrors("shared_budgets:\n  p:\n    limit: 5\n    period: daily\n    agents: [ok, \"bad\\u202Ename\"]\n",
                "shared_budgets.p.agents[1]");
        assertErrors("shared_budgets:\n  p:\n    limit: 5\n    period: daily\n    members: []\n", "shared_budgets.p.members");
        assertErrors("shared_budget:\n  p:\n    limit: 5\n    period: daily\n", "shared_budget");
        assertErrors("- just\n- a list\n", "(body)");
        assertEquals(0, TestSql.budgetRows(dataSource, org));
        assertEquals(0, TestSql.agentRows(dataSource, org));
    }

    @Test
    void everyRuleBrokenAtOnceListsEveryError() {
        put("""
                org_budget:
                  limit: -1
                  period: yearly
                shared_budgets:
                  engineering-pool:
                    limit: 0
                    period: weekly
                    agents: [research-bot, support-agent, "no spaces"]
                  "bad pool":
                    limit: 5
                    period: daily
                agents:
                  research-bot:
                    budget:
                      daily: 0
                      weekly: 3
                """).statusCode(422)
                .contentType("application/problem+json")
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder(
                        "org_budget.limit", "org_budget.period",
                        "shared_budgets.engineering-pool.limit", "shared_budgets.engineering-pool.period",
                        "shared_budgets.engineering-pool.agents[2]", "shared_budgets.engineering-pool.agents[1]",
                        "shared_budgets.bad pool",
                        "agents.research-bot.budget.daily", "agents.research-bot.budget.weekly"));
    }

    @Test
    void aFailingApplyChangesNothing() {
        put(SEED_BOTH).statusCode(200);
        String before = exportYaml();
        long rows = TestSql.budgetRows(dataSource, org);
        // A valid new pool and a removed org budget, but one bad limit: nothing of it may land.
        put("""
                shared_budgets:
                  engineering-pool:
                    limit: 700
                    period: daily
                    agents: [research-bot]
                  new-pool:
                    limit: 0
                    period: daily
                """).statusCode(422).body("errors.field", contains("shared_budgets.new-pool.limit"));
        assertEquals(before, exportYaml());
        assertEquals(rows, TestSql.budgetRows(dataSource, org));
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", hasSize(1));
    }

    @Test
    void aDatabaseFailureHalfWayThroughRollsBackEveryEarlierChange() throws Exception {
        put(SEED_BOTH).statusCode(200);
        String poolId = given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().extract().path("id");
        TestSql.setCounters(dataSource, poolId, DAY, NEXT_DAY, "7", "0");
        String before = exportYaml();
        // The apply deletes org:daily, re-limits the pool and its window, then fails creating boom-pool:
        // none of the earlier writes may survive.
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("""
                    CREATE OR REPLACE FUNCTION test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.name = 'boom-pool' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$;
                    CREATE TRIGGER test_boom BEFORE INSERT ON budget FOR EACH ROW EXECUTE FUNCTION test_boom();
                    """);
        }
        try {
            put("""
                    shared_budgets:
                      engineering-pool:
                        limit: 900
                        period: daily
                        agents: [research-bot]
                      boom-pool:
                        limit: 1
                        period: daily
                    """).statusCode(500).body("reason", equalTo("internal_error"));
        } finally {
            try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
                statement.execute("DROP TRIGGER test_boom ON budget; DROP FUNCTION test_boom()");
            }
        }
        assertEquals(before, exportYaml());
        assertCounters(poolId, "7", "0", "500");
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", hasSize(1));
    }

    @Test
    void countersSurviveReapplyAndALimitChangeUpdatesInPlace() {
        put(SEED_SHARED).statusCode(200);
        String id = given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().extract().path("id");
        TestSql.setCounters(dataSource, id, DAY, NEXT_DAY, "123.456", "1.5");
        put(SEED_SHARED).statusCode(200).body("changes", empty());
        assertCounters(id, "123.456", "1.5", "500");

        put(SEED_SHARED.replace("limit: 500", "limit: 650.25")).statusCode(200)
                .body("changes", hasSize(1))
                .body("changes[0].action", equalTo("update"))
                .body("changes[0].from.limit_value", equalTo(500.0f))
                .body("changes[0].to.limit_value", equalTo(650.25f));
        assertCounters(id, "123.456", "1.5", "650.25");
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool")
                .then().body("id", equalTo(id)).body("limit_value", equalTo(650.25f))
                .body("spent", equalTo(123.456f)).body("remaining", equalTo(525.294f));
    }

    @Test
    void theFileIsTheDesiredStateOfWhatItOwnsSoItsAbsentBudgetsAreRemoved() {
        put(SEED_BOTH).statusCode(200);
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budgets\":[{\"period\":\"monthly\",\"limit_value\":9}]}")
                .when().put("/v1/agents/unlisted-bot/budgets").then().statusCode(200);
        put(SEED_SHARED.replace("period: daily", "period: monthly")).statusCode(200)
                .body("changes.action", contains("delete", "delete", "delete", "create"))
                .body("changes.key", contains("org:daily", "shared:engineering-pool:daily", "agent:my-agent:daily",
                        "shared:engineering-pool:monthly"))
                .body("changes[0].to", nullValue())
                .body("unmanaged", contains("agent:unlisted-bot:monthly"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets")
                .then().body("shared_budgets.key", contains("shared:engineering-pool:monthly"));
        given().auth().oauth2(admin).when().get("/v1/agents/unlisted-bot/budget")
                .then().body("budgets.key", contains("agent:unlisted-bot:monthly"))
                .body("budgets[0].managed_by", equalTo("api"));
    }

    @Test
    void dryRunPlansWithoutChangingAnything() {
        given().auth().oauth2(admin).contentType("application/yaml").body(SEED_SHARED)
                .when().put("/v1/config?dry_run=true")
                .then().statusCode(200)
                .body("dry_run", equalTo(true))
                .body("changes[0].action", equalTo("create"))
                .body("changes[0].key", equalTo("shared:engineering-pool:daily"));
        assertEquals(0, TestSql.budgetRows(dataSource, org));
        assertEquals(0, TestSql.agentRows(dataSource, org));
        given().auth().oauth2(admin).contentType("application/yaml").body(SEED_SHARED)
                .when().put("/v1/config?dry_run=yes")
                .then().statusCode(422).body("errors[0].field", equalTo("dry_run"));
        assertEquals(0, TestSql.budgetRows(dataSource, org));
    }

    @Test
    void exportThenImportIsANoOpInYamlAndJson() {
        put("""
                channels:
                  team-slack:
                    type: slack
                    webhook_url: ${AGENTKAVACH_SLACK_WEBHOOK_URL}
                defaults:
                  budget:
                    daily: 10.00
                  guardrails:
                    max_calls_per_run: 500
                org_budget:
                  - limit: 1000
                    period: monthly
                  - limit: 100.5
                    period: daily
                shared_budgets:
                  engineering-pool:
                    limit: 500
                    period: daily
                    agents: [research-bot, "svc:billing@eu/1", "123", "null", "yes", "true", "1.5"]
                  ops.pool_2:
                    limit: 0.000000001
                    period: total
                agents:
                  research-bot:
                    provider: openai
                    budget:
                      daily: 25.00
                      monthly: 500
                    alerts:
                      - threshold: 0.8
                        channels: [team-slack]
                  svc:billing@eu/1:
                    budget: {type: total, limit: 42}
                  "123":
                  "null":
                  "yes": {}
                  "true":
                  "1.5":
                  support-agent:
                    budget: default
                """).statusCode(200);
        String yaml = given().auth().oauth2(admin).when().get("/v1/config")
                .then().statusCode(200).contentType(containsString("application/yaml"))
                .extract().asString();
        assertEquals(yaml, given().auth().oauth2(admin).accept("application/x-yaml").when().get("/v1/config")
                .then().statusCode(200).extract().asString());
        put(yaml).statusCode(200).body("changes", empty());

        String json = given().auth().oauth2(admin).accept("application/json").when().get("/v1/config")
                .then().statusCode(200).contentType(containsString("application/json"))
                .body("org_budget.period", contains("daily", "monthly"))
                .body("shared_budgets.engineering-pool.agents", contains("1.5", "123", "null", "research-bot", "svc:billing@eu/1", "true", "yes"))
                .body("agents.research-bot.budget.monthly", equalTo(500.0f))
                .body("agents.research-bot.provider", equalTo("openai"))
                .body("agents.support-agent.budget.type", equalTo("daily"))
                .body("agents.support-agent.budget.limit", equalTo(10.0f))
                .body("channels.team-slack.type", equalTo("slack"))
                .extract().asString();
        putAs(json, "application/json").statusCode(200).body("changes", empty());

        // Agent names may contain '/': in a path it is sent as %2F.
        given().urlEncodingEnabled(false).auth().oauth2(admin).when().get("/v1/agents/svc:billing@eu%2F1/budget")
                .then().statusCode(200).body("binding", equalTo("agent:svc:billing@eu/1:total"));
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/ops.pool_2")
                .then().statusCode(200).body("limit_value", equalTo(0.000000001f));
    }

    @Test
    void unsafeOrMalformedYamlIsAClear4xx() {
        put("shared_budgets:\n  p: {limit: 5, period: daily\n").statusCode(400)
                .contentType("application/problem+json").body("reason", equalTo("malformed_yaml"))
                .body("detail", containsString("line"));
        put("org_budget:\n  limit: 5\n  limit: 6\n  period: daily\n").statusCode(400).body("reason", equalTo("malformed_yaml"));
        put("base: &b {limit: 5, period: daily}\norg_budget: *b\n").statusCode(400)
                .body("detail", containsString("aliases"));
        put("org_budget: !!python/object/apply:os.system [\"true\"]\n").statusCode(400)
                .body("detail", containsString("tags"));
        put("org_budget: {limit: 5, period: daily}\n---\norg_budget: {limit: 6, period: daily}\n").statusCode(400);
        put("a:\n".repeat(1) + "  b: [".repeat(40) + "]".repeat(40) + "\n").statusCode(400);
        put("x: \"" + "a".repeat(1024 * 1024) + "\"\n").statusCode(413).body("reason", equalTo("body_too_large"));
        given().auth().oauth2(admin).contentType("application/yaml").body("")
                .when().put("/v1/config").then().statusCode(400);
        // An infinite amount is a 422 at its path, like any other amount out of range.
        put("org_budget: {limit: .inf, period: daily}\n").statusCode(422)
                .body("errors[0].field", equalTo("org_budget.limit"));
        assertEquals(0, TestSql.budgetRows(dataSource, org));
    }

    @Test
    void configIsAdminOnlyOtherOrgsSeeNothingAndCredentialsAreRequired() {
        put(SEED_SHARED).statusCode(200);
        String viewer = Tokens.viewer(org);
        given().auth().oauth2(viewer).when().get("/v1/config").then().statusCode(403);
        given().auth().oauth2(admin).when().get("/v1/config").then().statusCode(200)
                .body(containsString("engineering-pool"));
        given().auth().oauth2(viewer).contentType("application/yaml").body(SEED_ORG)
                .when().put("/v1/config").then().statusCode(403).body("reason", equalTo("forbidden"));
        String key = TestSql.sdkKey(dataSource, org);
        given().auth().oauth2(key).contentType("application/yaml").body(SEED_ORG)
                .when().put("/v1/config").then().statusCode(403);
        given().auth().oauth2(key).when().get("/v1/config").then().statusCode(403);
        String other = Tokens.admin(Tokens.newOrg());
        String otherExport = given().auth().oauth2(other).when().get("/v1/config").then().statusCode(200).extract().asString();
        assertEquals("{}\n", otherExport);
        given().when().get("/v1/config").then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
        given().contentType("application/yaml").body(SEED_ORG).when().put("/v1/config").then().statusCode(401);
        given().auth().oauth2(admin).when().get("/v1/shared-budgets/engineering-pool").then().statusCode(200);
        given().auth().oauth2(admin).when().get("/v1/org/budgets").then().body("budgets", empty());
    }

    private void assertCounters(String budgetId, String spent, String reserved, String limit) {
        assertEquals(0, new BigDecimal(spent).compareTo(TestSql.windowValue(dataSource, budgetId, DAY, "spent")));
        assertEquals(0, new BigDecimal(reserved).compareTo(TestSql.windowValue(dataSource, budgetId, DAY, "reserved")));
        assertEquals(0, new BigDecimal(limit).compareTo(TestSql.windowValue(dataSource, budgetId, DAY, "limit_value")));
    }

    private void assertErrors(String yaml, String... fields) {
        put(yaml).statusCode(422).contentType("application/problem+json")
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder(fields));
    }

    private String exportYaml() {
        return given().auth().oauth2(admin).when().get("/v1/config").then().statusCode(200).extract().asString();
    }

    @Test
    void hugeNumbersAndUndecodableBytesAreClear4xxAndNeverPoisonTheStoredConfig() {
        // jsonb would store 1e309 as 310 digits; accepting it once used to break every later read.
        put("defaults:\n  threshold: 1e309\norg_budget: {limit: 100, period: daily}\n")
                .statusCode(422).body("errors.field", contains("defaults.threshold"));
        putAs("{\"guardrails\": {\"max\": 0.0000000000000000000000001}}", "application/json")
                .statusCode(422).body("errors.field", contains("guardrails.max"));
        given().auth().oauth2(admin).contentType("application/yaml").body(new byte[] {(byte) 0xff, (byte) 0xfe, 'a'})
                .when().put("/v1/config").then().statusCode(400)
                .body("detail", not(containsString("java."))).body("detail", not(containsString("Exception")));
        given().auth().oauth2(admin).when().get("/v1/config").then().statusCode(200);
        assertEquals(0, TestSql.budgetRows(dataSource, org));
    }

    private ValidatableResponse put(String yaml) {
        return putAs(yaml, "application/yaml");
    }

    private ValidatableResponse putAs(String body, String contentType) {
        return given().auth().oauth2(admin).contentType(contentType).body(body)
                .when().put("/v1/config").then();
    }
}
