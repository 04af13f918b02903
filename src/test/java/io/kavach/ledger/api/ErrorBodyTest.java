package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Bad input of every kind answers problem+json, never a stack trace or a Java class name. */
@QuarkusTest
class ErrorBodyTest {

    /** A fully qualified Java name (java.lang.X, io.vertx.x.Y, com.fasterxml...) or a stack frame. */
    private static final Pattern INTERNALS = Pattern.compile(
            "\\b(java|javax|jakarta|io|org|com)\\.[a-z0-9_]+\\.[A-Za-z0-9_.$]+|\\bat [a-z][\\w.$]+\\(|Exception\\b");

    private final String admin = Tokens.admin(Tokens.newOrg());

    @Test
    void truncatedJsonIs400ProblemWithoutInternals() {
        Response response = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"limit_value\": \"x\"")
                .when().post("/v1/org/budgets");
        assertProblem(response, 400, "malformed_json");
    }

    @Test
    void wrongTypeIs422ProblemWithoutInternals() {
        Response response = given().auth().oauth2(admin).contentType("application/json")
                .body("{\"period\":\"daily\",\"limit_value\": \"x\"}")
                .when().post("/v1/org/budgets");
        assertProblem(response, 422, "validation_failed");
    }

    @Test
    void bodyOverTenMebibytesIs413Problem() {
        byte[] body = new byte[11 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        Response response = given().auth().oauth2(admin).contentType("application/json").body(body)
                .when().post("/v1/org/budgets");
        assertProblem(response, 413, "body_too_large");
    }

    @Test
    void chunkedBodyOverTenMebibytesIs413Problem() {
        // No Content-Length: the limit is enforced while reading, after routing.
        byte[] body = new byte[11 * 1024 * 1024];
        Arrays.fill(body, (byte) ' ');
        Response response = given().auth().oauth2(admin).contentType("application/json")
                .body(new ByteArrayInputStream(body))
                .when().post("/v1/org/budgets");
        assertProblem(response, 413, "body_too_large");
    }

    @Test
    void unknownPathIs404Problem() {
        assertProblem(given().auth().oauth2(admin).when().get("/v1/no-such-thing"), 404, "not_found");
        assertProblem(given().when().get("/no-such-thing"), 404, "not_found");
    }

    @Test
    void wrongMethodIs405ProblemThatSaysWhichMethodsThePathHas() {
        Response patch = given().auth().oauth2(admin).when().patch("/v1/org/budgets");
        assertProblem(patch, 405, "method_not_allowed");
        patch.then().header("Allow", equalTo("GET, HEAD, POST"));
        // Path parameters, a trailing slash, and an SDK key on an SDK path.
        Response delete = given().auth().oauth2(admin).when().delete("/v1/reservations/" + java.util.UUID.randomUUID() + "/commit/");
        assertProblem(delete, 405, "method_not_allowed");
        delete.then().header("Allow", equalTo("POST"));
        given().auth().oauth2(admin).when().post("/v1/shared-budgets/some-pool").then().statusCode(405)
                .header("Allow", equalTo("DELETE, GET, HEAD, PUT"));
    }

    private static void assertProblem(Response response, int status, String reason) {
        response.then().statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("reason", equalTo(reason))
                .body("type", equalTo("urn:kavach-ledger:problem:" + reason))
                .body(not(containsString("\tat ")));
        String body = response.asString();
        assertFalse(INTERNALS.matcher(body).find(), "the body reveals internals: " + body);
    }
}
