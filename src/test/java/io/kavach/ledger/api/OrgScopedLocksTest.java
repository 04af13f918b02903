package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Another org's ids lock nothing: with org A's row held by a transaction of A's, org B's commit,
 * release or revoke naming it answers 404 at once instead of waiting on (and so probing, and
 * delaying) A's row.
 */
@QuarkusTest
class OrgScopedLocksTest {

    @Inject
    AgroalDataSource dataSource;

    private final String orgA = Tokens.newOrg();
    private final String orgB = Tokens.newOrg();
    private final String keyA = Fixtures.apiKey(orgA);
    private final String keyB = Fixtures.apiKey(orgB);

    @Test
    void anotherOrgsReservationIdIsNotFoundWithoutWaitingOnItsLock() throws Exception {
        String id = given().auth().oauth2(keyA).contentType("application/json")
                .body("{\"agent_name\":\"a\",\"amount\":1}").post("/v1/reservations").then().statusCode(201)
                .extract().path("id");
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            lock(holder, "SELECT id FROM reservation WHERE id = ?::uuid FOR UPDATE", id);
            given().auth().oauth2(keyB).contentType("application/json").body("{\"cost\":1}")
                    .post("/v1/reservations/" + id + "/commit").then().statusCode(404).body("reason", equalTo("not_found"));
            given().auth().oauth2(keyB).post("/v1/reservations/" + id + "/release").then().statusCode(404);
            holder.rollback();
        }
        given().auth().oauth2(keyA).contentType("application/json").body("{\"cost\":1}")
                .post("/v1/reservations/" + id + "/commit").then().statusCode(200).body("status", equalTo("committed"));
    }

    @Test
    void anotherOrgsKeyIdIsNotFoundWithoutWaitingOnItsLock() throws Exception {
        String adminA = Tokens.admin(orgA);
        String keyId = given().auth().oauth2(adminA).contentType("application/json").body("{\"name\":\"ci\"}")
                .post("/v1/api-keys").then().statusCode(201).extract().path("id");
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            lock(holder, "SELECT id FROM api_key WHERE id = ?::uuid FOR UPDATE", keyId);
            given().auth().oauth2(Tokens.admin(orgB)).delete("/v1/api-keys/" + keyId).then().statusCode(404);
            holder.rollback();
        }
        given().auth().oauth2(adminA).delete("/v1/api-keys/" + keyId).then().statusCode(204);
        given().auth().oauth2(keyB).get("/v1/reservations/" + UUID.randomUUID()).then().statusCode(404);
    }

    private static void lock(Connection connection, String sql, String id) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, id);
            statement.executeQuery().close();
        }
    }
}
