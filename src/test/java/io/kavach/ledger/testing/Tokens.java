package io.kavach.ledger.testing;

import io.smallrye.jwt.build.Jwt;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** Mints JWTs for tests with the key pair Quarkus generates in test mode. */
public final class Tokens {

    public static final String ISSUER = "kavach-ledger";

    private Tokens() {
    }

    public static String admin(String org) {
        return token(org, "admin");
    }

    public static String viewer(String org) {
        return token(org, "viewer");
    }

    public static String token(String org, String group) {
        return Jwt.issuer(ISSUER).subject("test-user").claim("org", org).groups(Set.of(group))
                .expiresIn(Duration.ofMinutes(10)).sign();
    }

    public static String expired(String org) {
        Instant past = Instant.now().minus(Duration.ofHours(2));
        return Jwt.issuer(ISSUER).subject("test-user").claim("org", org).groups(Set.of("admin"))
                .issuedAt(past.minusSeconds(60)).expiresAt(past).sign();
    }

    public static String wrongIssuer(String org) {
        return Jwt.issuer("someone-else").subject("test-user").claim("org", org).groups(Set.of("admin"))
                .expiresIn(Duration.ofMinutes(10)).sign();
    }

    public static String withoutOrg() {
        return Jwt.issuer(ISSUER).subject("test-user").groups(Set.of("admin"))
                .expiresIn(Duration.ofMinutes(10)).sign();
    }

    /** Well-formed and correctly claimed, but signed by a key the service has never seen. */
    public static String forged(String org) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair keys = generator.generateKeyPair();
            return Jwt.issuer(ISSUER).subject("attacker").claim("org", org).groups(Set.of("admin"))
                    .expiresIn(Duration.ofMinutes(10)).sign(keys.getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh org id per test so tests never see each other's data. */
    public static String newOrg() {
        return "org-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }
}
