package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ApiKeyResourceTest {

    private static final String WHOAMI = "/test-only/whoami";

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @Test
    void createReturnsTheFullKeyOnceAndListShowsOnlyThePrefix() {
        MutableClock.get().pin(Instant.parse("2026-11-28T09:30:00Z"));
        ExtractableResponse<Response> created = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"ci\",\"environment\":\"prod\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(201)
                .header("Location", matchesPattern(".*/v1/api-keys/[0-9a-f-]{36}"))
                .contentType(ContentType.JSON)
                .body("id", matchesPattern("[0-9a-f-]{36}"))
                .body("name", equalTo("ci"))
                .body("environment", equalTo("prod"))
                .body("key", matchesPattern("ak_prod_[A-Za-z0-9]{32}"))
                .body("prefix", matchesPattern("ak_prod_[A-Za-z0-9]{4}"))
                .body("created_at", equalTo("2026-11-28T09:30:00Z"))
                .extract();
        String key = created.path("key");
        String id = created.path("id");
        assertEquals(key.substring(0, "ak_prod_".length() + 4),
                created.path("prefix"));

        given().auth().oauth2(admin).when().get("/v1/api-keys")
                .then().statusCode(200)
                .body("api_keys", hasSize(1))
                .body("api_keys[0].id", equalTo(id))
                .body("api_keys[0].name", equalTo("ci"))
                .body("api_keys[0].environment", equalTo("prod"))
                .body("api_keys[0].prefix", equalTo(created.path("prefix")))
                .body("api_keys[0].created_at", equalTo("2026-11-28T09:30:00Z"))
                .body("api_keys[0]", not(hasKey("key")))
                .body(not(containsString(key.substring(12))));
    }

    @Test
    void environmentDefaultsToProdAndDevKeysHaveTheDevPrefix() {
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"default\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(201).body("environment", equalTo("prod")).body("key", startsWith("ak_prod_"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"laptop\",\"environment\":\"dev\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(201).body("environment", equalTo("dev"))
                .body("key", matchesPattern("ak_dev_[A-Za-z0-9]{32}"))
                .body("prefix", matchesPattern("ak_dev_[A-Za-z0-9]{4}"));
        given().auth().oauth2(admin).when().get("/v1/api-keys")
                .then().statusCode(200).body("api_keys.name", contains("default", "laptop"));
    }

    @Test
    void createdKeyAuthenticatesAsItsOrgAndIsRefusedRightAfterRevocation() {
        String otherOrg = Tokens.newOrg();
        String key = createKey(admin, "sdk");
        String otherKey = createKey(Tokens.admin(otherOrg), "sdk");

        given().auth().oauth2(key).when().get(WHOAMI)
                .then().statusCode(200).body("org", equalTo(org));
        given().auth().oauth2(otherKey).when().get(WHOAMI)
                .then().statusCode(200).body("org", equalTo(otherOrg));

        String id = given().auth().oauth2(admin).when().get("/v1/api-keys")
                .then().statusCode(200).extract().path("api_keys[0].id");
        given().auth().oauth2(admin).when().delete("/v1/api-keys/" + id).then().statusCode(204);

        given().auth().oauth2(key).when().get(WHOAMI)
                .then().statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json")
                .body("reason", equalTo("unauthorized"));
        given().auth().oauth2(admin).when().get("/v1/api-keys").then().statusCode(200).body("api_keys", hasSize(0));
        // Revoking one org's key leaves the other org's key working.
        given().auth().oauth2(otherKey).when().get(WHOAMI).then().statusCode(200).body("org", equalTo(otherOrg));
    }

    @Test
    void revokedUnknownAndOtherOrgsKeysAre404() {
        String id = createKeyId(admin, "ci");
        String otherAdmin = Tokens.admin(Tokens.newOrg());
        given().auth().oauth2(otherAdmin).when().delete("/v1/api-keys/" + id)
                .then().statusCode(404).contentType("application/problem+json").body("reason", equalTo("not_found"));
        given().auth().oauth2(otherAdmin).when().get("/v1/api-keys").then().statusCode(200).body("api_keys", hasSize(0));
        given().auth().oauth2(admin).when().get("/v1/api-keys").then().statusCode(200).body("api_keys", hasSize(1));

        given().auth().oauth2(admin).when().delete("/v1/api-keys/" + id).then().statusCode(204);
        given().auth().oauth2(admin).when().delete("/v1/api-keys/" + id)
                .then().statusCode(404).contentType("application/problem+json").body("reason", equalTo("not_found"));
        given().auth().oauth2(admin).when().delete("/v1/api-keys/0190c3a0-0000-7000-8000-000000000000")
                .then().statusCode(404);
        given().auth().oauth2(admin).when().delete("/v1/api-keys/not-a-uuid").then().statusCode(404);
    }

    @Test
    void invalidBodyLists422ErrorsAllAtOnce() {
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"name\":\"" + "x".repeat(65) + "\",\"environment\":\"staging\",\"scopes\":[\"all\"]}")
                .when().post("/v1/api-keys")
                .then().statusCode(422)
                .contentType("application/problem+json")
                .body("reason", equalTo("validation_failed"))
                .body("errors.field", containsInAnyOrder("name", "environment", "scopes"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"environment\":\"dev\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(422).body("errors.field", contains("name"))
                .body("errors[0].message", equalTo("is required"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"\",\"environment\":1}")
                .when().post("/v1/api-keys")
                .then().statusCode(422).body("errors.field", contains("name", "environment"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"   \"}")
                .when().post("/v1/api-keys")
                .then().statusCode(422).body("errors.field", contains("name"));
        given().auth().oauth2(admin).contentType("application/json").body("{\"name\":\"ci\"")
                .when().post("/v1/api-keys")
                .then().statusCode(400).contentType("application/problem+json").body("reason", equalTo("malformed_json"));
        given().auth().oauth2(admin).when().get("/v1/api-keys").then().statusCode(200).body("api_keys", hasSize(0));
    }

    @Test
    void viewersAndApiKeysAreForbidden() {
        String id = createKeyId(admin, "ci");
        String key = createKey(admin, "sdk");
        for (String credential : new String[] {Tokens.viewer(org), key}) {
            given().auth().oauth2(credential).contentType("application/json").body("{\"name\":\"more\"}")
                    .when().post("/v1/api-keys")
                    .then().statusCode(403).contentType("application/problem+json").body("reason", equalTo("forbidden"));
            given().auth().oauth2(credential).when().get("/v1/api-keys").then().statusCode(403);
            given().auth().oauth2(credential).when().delete("/v1/api-keys/" + id).then().statusCode(403);
        }
        given().auth().oauth2(admin).when().get("/v1/api-keys").then().statusCode(200).body("api_keys", hasSize(2));
    }

    @Test
    void badCredentialsAre401WithBearerChallenge() {
        for (String token : new String[] {
                Tokens.expired(org), Tokens.forged(org), Tokens.wrongIssuer(org), "not-a-jwt"}) {
            given().auth().oauth2(token).when().get("/v1/api-keys")
                    .then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .contentType("application/problem+json")
                    .body("reason", equalTo("unauthorized"));
            given().auth().oauth2(token).contentType("application/json").body("{\"name\":\"ci\"}")
                    .when().post("/v1/api-keys").then().statusCode(401);
        }
        given().when().get("/v1/api-keys")
                .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"))
                .contentType("application/problem+json");
        given().when().delete("/v1/api-keys/0190c3a0-0000-7000-8000-000000000000").then().statusCode(401);
    }

    @Test
    void jwtsAreForbiddenOnSdkEndpoints() {
        given().auth().oauth2(admin).when().get(WHOAMI)
                .then().statusCode(403).contentType("application/problem+json").body("reason", equalTo("forbidden"));
        given().auth().oauth2(Tokens.viewer(org)).when().get(WHOAMI).then().statusCode(403);
    }

    @Test
    void malformedUnknownAndMissingKeysAre401WithBearerChallenge() {
        String unknown = "ak_prod_" + "A".repeat(32);
        for (String key : new String[] {
                "ak_prod_short", "ak_xyz_" + "A".repeat(32), "ak_prod_" + "A".repeat(33),
                "ak_prod_" + "!".repeat(32), "ak_", unknown}) {
            given().auth().oauth2(key).when().get(WHOAMI)
                    .then().statusCode(401)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .contentType("application/problem+json")
                    .body("reason", equalTo("unauthorized"));
        }
        given().when().get(WHOAMI)
                .then().statusCode(401).header("WWW-Authenticate", containsString("Bearer"));
    }

    private String createKey(String adminToken, String name) {
        return given().auth().oauth2(adminToken).contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(201).extract().path("key");
    }

    private String createKeyId(String adminToken, String name) {
        return given().auth().oauth2(adminToken).contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .when().post("/v1/api-keys")
                .then().statusCode(201).extract().path("id");
    }
}
