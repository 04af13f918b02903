package io.kavach.ledger.alert;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With the production default (private targets refused), loopback, private and metadata targets are a clear 422. */
@QuarkusTest
@TestProfile(PrivateTargetsRefusedTest.Refused.class)
class PrivateTargetsRefusedTest {

    public static class Refused implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kavach.alerts.allow-private-targets", "false");
        }
    }

    private final String admin = Tokens.admin(Tokens.newOrg());

    @Test
    void privateAddressTargetsAreRefusedWith422() {
        for (String target : new String[] {"http://127.0.0.1:8080/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
                "http://100.64.0.1/x", "http://[::1]/x", "http://localhost/x", "http://192.168.1.1/x"}) {
            given().auth().oauth2(admin).contentType("application/json")
                    .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":0.8,\"channel\":\"slack\",\"target\":\"" + target + "\"}")
                    .post("/v1/alerts").then().statusCode(422)
                    .body("errors[0].field", equalTo("target"))
                    .body("errors[0].message", containsString("kavach.alerts.allow-private-targets"));
        }
        given().auth().oauth2(admin).contentType("application/json")
                .body("{\"budget_key\":\"org:daily\",\"threshold_pct\":0.8,\"channel\":\"webhook\",\"target\":\"ftp://example.com/x\"}")
                .post("/v1/alerts").then().statusCode(422).body("errors[0].message", containsString("http or https"));
    }
}
