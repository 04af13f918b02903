package io.kavach.ledger.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * Health and the contract endpoint: open to anyone on the API port. Metrics: only on the
 * management interface, a port of its own, never on the API port tenants reach.
 */
@QuarkusTest
class OperationsEndpointsTest {

    /** Relative to the management interface's root, /q. */
    @TestHTTPResource(value = "/metrics", management = true)
    URL managementMetrics;

    @TestHTTPResource(value = "/q/metrics")
    URL apiMetrics;

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
    void metricsArePrometheusTextOnTheManagementPort() {
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).when().get("/v1/org/budgets").then().statusCode(200);
        assertNotEquals(apiMetrics.getPort(), managementMetrics.getPort());
        // Prometheus text format when asked for it (scrapers that prefer OpenMetrics get that).
        given().accept("text/plain").when().get(managementMetrics)
                .then().statusCode(200)
                .contentType(containsString("text/plain"))
                .body(containsString("# TYPE http_server_requests_seconds"))
                .body(containsString("uri=\"/v1/org/budgets\""));
    }

    @Test
    void metricsAreNotServedOnTheApiPortWithOrWithoutCredentials() {
        given().when().get("/q/metrics").then().statusCode(404).contentType("application/problem+json");
        given().auth().oauth2(Tokens.admin(Tokens.newOrg())).when().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void operationsEndpointsNeedNoCredentialsAndIgnoreBadOnes() {
        for (String path : new String[] {"/q/health", "/q/health/ready", "/q/openapi"}) {
            given().when().get(path).then().statusCode(200);
            given().auth().oauth2("not-a-jwt").when().get(path).then().statusCode(200);
        }
    }
}
