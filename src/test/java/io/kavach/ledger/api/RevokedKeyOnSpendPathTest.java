package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.security.ApiKeys;
import io.kavach.ledger.security.KnownApiKeys;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ADR 0004: on the spend paths and the budget read a key this instance has seen live is accepted
 * without a query and checked inside the ledger transaction (the read's first round trip)
 * instead. Revocation must stay immediate all the same.
 */
@QuarkusTest
class RevokedKeyOnSpendPathTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Inject
    KnownApiKeys known;

    @Test
    void aCachedKeyIsRefusedOnEverySpendPathRightAfterRevocationAndNothingChanges() {
        Fixtures.agentBudget(org, "bot", "daily", "100");
        String reserver = Fixtures.apiKey(org);
        String committer = Fixtures.apiKey(org);
        String releaser = Fixtures.apiKey(org);
        String ingester = Fixtures.apiKey(org);
        String reader = Fixtures.apiKey(org);
        String live = Fixtures.apiKey(org);

        // Each key is used once (and then again, from the cache) before it is revoked.
        for (int i = 0; i < 2; i++) {
            reserve(reserver, "bot", "1").statusCode(201);
        }
        String toCommit = reserve(committer, "bot", "2").statusCode(201).extract().path("id");
        String toRelease = reserve(releaser, "bot", "3").statusCode(201).extract().path("id");
        reserve(releaser, "bot", "0.5").statusCode(201);
        ingest(ingester, "evt-1").statusCode(202);
        ingest(ingester, "evt-2").statusCode(202);
        // The budget read checks a cached key in its own first round trip, as the spend paths do.
        budget(reader).statusCode(200);
        budget(reader).statusCode(200).body("agent", equalTo("bot"));
        for (String key : List.of(reserver, committer, releaser, ingester, reader)) {
            assertTrue(known.knows(ApiKeys.hash(key)), "the key was seen live");
        }
        Map<String, Object> before = state();

        for (String key : List.of(reserver, committer, releaser, ingester, reader)) {
            given().auth().oauth2(admin).delete("/v1/api-keys/" + keyId(key)).then().statusCode(204);
        }

        unauthorized(reserve(reserver, "new-bot", "1"));
        unauthorized(given().auth().oauth2(committer).contentType("application/json").body("{\"cost\":1.5}")
                .post("/v1/reservations/" + toCommit + "/commit").then());
        unauthorized(given().auth().oauth2(releaser).post("/v1/reservations/" + toRelease + "/release").then());
        unauthorized(ingest(ingester, "evt-3"));
        unauthorized(budget(reader));
        for (String key : List.of(reserver, committer, releaser, ingester, reader)) {
            assertFalse(known.knows(ApiKeys.hash(key)), "a key found revoked is forgotten");
        }
        unauthorized(given().auth().oauth2(committer).get("/v1/reservations/" + toCommit).then());
        // Refused again on the database path, too.
        unauthorized(reserve(reserver, "new-bot", "1"));
        unauthorized(budget(reader));

        assertEquals(before, state(), "a refused spend changes nothing");
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ? AND name = 'new-bot'", org));
        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift", hasSize(0));

        // The org's live key is unaffected.
        given().auth().oauth2(live).contentType("application/json").body("{\"cost\":1.5}")
                .post("/v1/reservations/" + toCommit + "/commit").then().statusCode(200)
                .body("status", equalTo("committed"));
    }

    @Test
    void otherPathsCheckACachedKeyOnEveryRequest() {
        Fixtures.agentBudget(org, "bot", "daily", "100");
        String key = Fixtures.apiKey(org);
        String id = reserve(key, "bot", "1").statusCode(201).extract().path("id");
        given().auth().oauth2(key).get("/v1/agents/bot/budget").then().statusCode(200);
        assertTrue(known.knows(ApiKeys.hash(key)));

        given().auth().oauth2(admin).delete("/v1/api-keys/" + keyId(key)).then().statusCode(204);

        unauthorized(given().auth().oauth2(key).get("/v1/reservations/" + id).then());
        unauthorized(given().auth().oauth2(key).get("/v1/agents/bot/budget").then());
        unauthorized(given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"bot\",\"budgets\":{}}").post("/v1/sync-config").then());
    }

    @Test
    void anUnknownKeyOnASpendPathIsStill401() {
        unauthorized(reserve(ApiKeys.generate("prod"), "bot", "1"));
        unauthorized(ingest(ApiKeys.generate("dev"), "evt-x"));
    }

    private Map<String, Object> state() {
        return Map.of(
                "windows", Fixtures.queryRows("SELECT b.name, w.spent, w.reserved FROM budget_window w "
                        + "JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? ORDER BY w.id", org),
                "reservations", Fixtures.queryRows(
                        "SELECT id, status, cost FROM reservation WHERE org_id = ? ORDER BY id", org),
                "journal", Fixtures.queryLong("SELECT count(*) FROM journal_entry WHERE org_id = ?", org),
                "events", Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
    }

    private static String keyId(String key) {
        return Fixtures.queryRows("SELECT id::text AS id FROM api_key WHERE key_hash = ?", (Object) ApiKeys.hash(key))
                .get(0).get("id").toString();
    }

    private static ValidatableResponse budget(String key) {
        return given().auth().oauth2(key).get("/v1/agents/bot/budget").then();
    }

    private static ValidatableResponse reserve(String key, String agent, String amount) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"" + agent + "\",\"amount\":" + amount + "}").post("/v1/reservations").then();
    }

    private static ValidatableResponse ingest(String key, String eventKey) {
        return given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"bot\",\"cost\":0.25,\"idempotency_key\":\"" + eventKey + "\"}]}")
                .post("/v1/ingest").then();
    }

    private static void unauthorized(ValidatableResponse response) {
        response.statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"kavach-ledger\""))
                .contentType("application/problem+json")
                .body("reason", equalTo("unauthorized"))
                .body("status", equalTo(401));
    }
}
