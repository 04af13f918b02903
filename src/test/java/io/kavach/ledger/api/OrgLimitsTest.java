package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.service.OrgLimits;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** The per-org caps (small in tests: application.properties' %test values) answer a clear 4xx with a stable reason. */
@QuarkusTest
class OrgLimitsTest {

    @Inject
    OrgLimits limits;
    @Inject
    AgroalDataSource dataSource;

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);
    private final String admin = Tokens.admin(org);

    @Test
    void spendCannotCreateMoreAgentsThanTheCapAndFailsAloneWhenItWould() {
        int max = limits.agentsPerOrg();
        given().auth().oauth2(key).contentType("application/json").body(events(0, max + 1)).post("/v1/ingest")
                .then().statusCode(409).body("reason", equalTo("agent_limit_reached")).body("limit", equalTo(max));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ?", org), "nothing was created");
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        given().auth().oauth2(key).contentType("application/json").body(events(0, max)).post("/v1/ingest")
                .then().statusCode(202).body("accepted", equalTo(max));
        reserve("agent-new").statusCode(409).body("reason", equalTo("agent_limit_reached"));
        reserve("agent-0").statusCode(201);
        given().auth().oauth2(admin).contentType("application/json").body("{\"budgets\":[{\"period\":\"daily\",\"limit_value\":1}]}")
                .put("/v1/agents/agent-new/budgets").then().statusCode(409).body("reason", equalTo("agent_limit_reached"));
        assertEquals(max, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ?", org));
    }

    @Test
    void poolsPerOrgAndPoolsPerAgentAreCapped() {
        int pools = limits.poolsPerOrg();
        int perAgent = limits.poolsPerAgent();
        for (int i = 0; i < pools; i++) {
            pool("p" + i, i < perAgent ? "[\"x\"]" : "[]").statusCode(201);
        }
        pool("one-too-many", "[]").statusCode(409).body("reason", equalTo("pool_limit_reached")).body("limit", equalTo(pools));
        given().auth().oauth2(admin).put("/v1/shared-budgets/p" + perAgent + "/agents/x").then().statusCode(409)
                .body("reason", equalTo("agent_pool_limit_reached")).body("limit", equalTo(perAgent));
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"limit_value\":1,\"agents\":[\"x\",\"y\"]}").put("/v1/shared-budgets/p" + (perAgent + 1))
                .then().statusCode(409).body("reason", equalTo("agent_pool_limit_reached"));
        given().auth().oauth2(admin).put("/v1/shared-budgets/p" + perAgent + "/agents/y").then().statusCode(204);
        assertEquals(perAgent, Fixtures.queryLong("SELECT count(*) FROM pool_member m JOIN agent a ON a.id = m.agent_id "
                + "WHERE a.org_id = ? AND a.name = 'x'", org));
    }

    @Test
    void oneAuditOfAnOrgAtATime() throws Exception {
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200);
        try (Connection other = dataSource.getConnection();
             PreparedStatement hold = other.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
            // Another instance's audit of the same org is running.
            hold.setString(1, "kavach.audit:" + org + ":0");
            hold.executeQuery().close();
            given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(429)
                    .body("reason", equalTo("audit_limit_reached")).header("Retry-After", equalTo("5"));
            given().auth().oauth2(Tokens.admin(Tokens.newOrg())).get("/v1/admin/audit").then().statusCode(200);
            try (PreparedStatement release = other.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                release.setString(1, "kavach.audit:" + org + ":0");
                try (ResultSet row = release.executeQuery()) {
                    row.next();
                }
            }
        }
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift.size()", equalTo(0));
    }

    private io.restassured.response.ValidatableResponse reserve(String agent) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":0.01}").post("/v1/reservations").then();
    }

    private io.restassured.response.ValidatableResponse pool(String name, String agents) {
        return given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"" + name + "\",\"period\":\"daily\",\"limit_value\":10,\"agents\":" + agents + "}")
                .post("/v1/shared-budgets").then();
    }

    private static String events(int from, int count) {
        StringJoiner events = new StringJoiner(",", "{\"events\":[", "]}");
        for (int i = from; i < from + count; i++) {
            events.add("{\"agent_name\":\"agent-" + i + "\",\"cost\":0.01}");
        }
        return events.toString();
    }
}
