package io.kavach.ledger.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * Management tokens: {@code iat} and {@code jti} required, refused past {@code kavach.jwt.max-age}
 * whatever their {@code exp}, and never a way to SDK powers (only a revocable API key is).
 */
@QuarkusTest
class JwtHardeningTest {

    private final String org = Tokens.newOrg();

    @Test
    void aTokenWithoutJtiOrIatIsRefused() throws Exception {
        given().auth().oauth2(raw(false, true)).get("/v1/org/budgets").then().statusCode(401)
                .header("WWW-Authenticate", equalTo("Bearer realm=\"kavach-ledger\""));
        given().auth().oauth2(raw(true, false)).get("/v1/org/budgets").then().statusCode(401);
        given().auth().oauth2(raw(true, true)).get("/v1/org/budgets").then().statusCode(200);
    }

    @Test
    void aTokenOlderThanTheMaxAgeIsRefusedBeforeItExpires() {
        Instant now = Instant.now();
        String old = Jwt.issuer(Tokens.ISSUER).subject("leaked").claim("org", org).groups(Set.of("admin"))
                .issuedAt(now.minus(Duration.ofDays(31))).expiresAt(now.plus(Duration.ofDays(300))).sign();
        given().auth().oauth2(old).get("/v1/org/budgets").then().statusCode(401);
        String young = Jwt.issuer(Tokens.ISSUER).subject("fresh").claim("org", org).groups(Set.of("admin"))
                .issuedAt(now.minus(Duration.ofDays(29))).expiresAt(now.plus(Duration.ofDays(1))).sign();
        given().auth().oauth2(young).get("/v1/org/budgets").then().statusCode(200);
        // An iat in the future would make the age check meaningless.
        String future = Jwt.issuer(Tokens.ISSUER).subject("future").claim("org", org).groups(Set.of("admin"))
                .issuedAt(now.plus(Duration.ofDays(20))).expiresAt(now.plus(Duration.ofDays(21))).sign();
        given().auth().oauth2(future).get("/v1/org/budgets").then().statusCode(401);
    }

    @Test
    void groupsSdkInATokenGrantsNoSdkPowers() {
        String sdkGroup = Tokens.token(org, "sdk");
        String both = Jwt.issuer(Tokens.ISSUER).subject("t").claim("org", org).groups(Set.of("admin", "sdk"))
                .expiresIn(Duration.ofMinutes(5)).sign();
        String event = "{\"events\":[{\"agent_name\":\"a\",\"cost\":1}]}";
        for (String token : List.of(sdkGroup, both)) {
            given().auth().oauth2(token).contentType("application/json").body(event).post("/v1/ingest")
                    .then().statusCode(403).body("reason", equalTo("forbidden"));
            given().auth().oauth2(token).contentType("application/json").body("{\"agent_name\":\"a\",\"amount\":1}")
                    .post("/v1/reservations").then().statusCode(403);
            given().auth().oauth2(token).contentType("application/json").body("{\"agent_name\":\"a\"}")
                    .post("/v1/sync-config").then().statusCode(403);
        }
        // The admin role of the second token still works where an admin may go.
        given().auth().oauth2(both).get("/v1/org/budgets").then().statusCode(200);
        // And the budget read (JWT or key) is a management read for it, not an SDK one.
        given().auth().oauth2(sdkGroup).get("/v1/agents/a/budget").then().statusCode(403);
        // An API key still is an SDK.
        given().auth().oauth2(Fixtures.apiKey(org)).contentType("application/json").body(event).post("/v1/ingest")
                .then().statusCode(202);
    }

    /** A token signed with the service's test key, with or without the claims under test. */
    private String raw(boolean withJti, boolean withIat) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(Tokens.ISSUER);
        claims.setSubject("raw");
        claims.setClaim("org", org);
        claims.setStringListClaim("groups", "admin");
        claims.setExpirationTimeMinutesInTheFuture(5);
        if (withJti) {
            claims.setGeneratedJwtId();
        }
        if (withIat) {
            claims.setIssuedAtToNow();
        }
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signingKey());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        return jws.getCompactSerialization();
    }

    private static PrivateKey signingKey() throws Exception {
        String key = ConfigProvider.getConfig().getValue("smallrye.jwt.sign.key", String.class);
        return KeyUtils.decodePrivateKey(key);
    }
}
