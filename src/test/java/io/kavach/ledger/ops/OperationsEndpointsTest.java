package io.kavach.ledger.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Health, metrics and the contract endpoint: open to anyone, answering what operators expect. */
@QuarkusTest
class OperationsEndpointsTest {

    @Test
    void readinessIsUpWithTheDatabaseCheckListed() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"));
    }

    @Test
    void livenessIsUp() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsArePrometheusTextWithHttpServerRequests() {
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).when().get("/v1/org/budgets").then().statusCode(200);
        // Prometheus text format when asked for it (scrapers that prefer OpenMetrics get that).
        given().accept("text/plain").when().get("/q/metrics")
                .then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("# TYPE http_server_requests_seconds"))
                .body(containsString("uri=\"/v1/org/budgets\""));
    }

    @Test
    void operationsEndpointsNeedNoCredentialsAndIgnoreBadOnes() {
        for (String path : new String[] {"/q/health", "/q/health/ready", "/q/metrics", "/q/openapi"}) {
            given().when().get(path).then().statusCode(200);
            given().auth().oauth2("not-a-jwt").when().get(path).then().statusCode(200);
        }
    }
}
