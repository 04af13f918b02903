package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The dashboard's files are served by the service itself, without credentials, under a strict CSP. */
@QuarkusTest
class DashboardPageTest {

    @Test
    void pageScriptsAndChartLibraryAreServedFromTheJar() {
        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Content-Security-Policy", containsString("frame-ancestors 'none'"))
                .header("X-Content-Type-Options", "nosniff")
                .body(containsString("<label for=\"credential\">"));
        given().get("/dashboard.js").then().statusCode(200).header("Content-Security-Policy", containsString("default-src 'none'"));
        given().get("/dashboard.css").then().statusCode(200);
        given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(200);
        given().get("/webjars/uplot/1.6.30/dist/uPlot.min.css").then().statusCode(200);
    }
}
