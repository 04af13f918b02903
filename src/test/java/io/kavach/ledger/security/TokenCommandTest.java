package io.kavach.ledger.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar's {@code token} command, without Quarkus: argument checks, key loading, the token it prints. */
class TokenCommandTest {

    @TempDir
    static Path keys;
    static KeyPair pair;
    static Path privatePem;
    static Path publicPem;

    @BeforeAll
    static void writeKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        pair = generator.generateKeyPair();
        privatePem = keys.resolve("private.pem");
        publicPem = keys.resolve("public.pem");
        Files.writeString(privatePem, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(publicPem, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    @Test
    void printsAVerifiableAdminTokenAloneOnStdout() throws Exception {
        Outcome outcome = run(config(privatePem.toString()), "--org", "acme", "--role", "admin");

        assertEquals(0, outcome.exitCode, outcome.stderr);
        assertEquals("", outcome.stderr);
        assertTrue(outcome.stdout.endsWith("\n"));
        String token = outcome.stdout.strip();
        assertEquals(1, outcome.stdout.lines().count());
        JsonWebToken jwt = verify(token, pair.getPublic(), "kavach-ledger");
        assertEquals("acme", jwt.getClaim("org").toString().replace("\"", ""));
        assertEquals(Set.of("admin"), jwt.getGroups());
        assertEquals(TokenCommand.TTL_SECONDS_DEFAULT, jwt.getExpirationTime() - jwt.getIssuedAtTime());
    }

    @Test
    void viewerWithTtlInBothOptionForms() throws Exception {
        for (List<String> args : List.of(
                List.of("--org", "acme.eu-1", "--role", "viewer", "--ttl", "60"),
                List.of("--org=acme.eu-1", "--role=viewer", "--ttl=60"))) {
            Outcome outcome = run(config(privatePem.toString()), args.toArray(String[]::new));
            assertEquals(0, outcome.exitCode, outcome.stderr);
            JsonWebToken jwt = verify(outcome.stdout.strip(), pair.getPublic(), "kavach-ledger");
            assertEquals(Set.of("viewer"), jwt.getGroups());
            assertEquals(60, jwt.getExpirationTime() - jwt.getIssuedAtTime());
        }
    }

    @Test
    void theTokenCarriesIatAndJtiAndItsTtlIsCappedAtTheMaxAge() throws Exception {
        Outcome outcome = run(config(privatePem.toString()), "--org", "acme", "--role", "admin");
        JsonWebToken jwt = verify(outcome.stdout.strip(), pair.getPublic(), "kavach-ledger");
        assertTrue(jwt.getTokenID() != null && !jwt.getTokenID().isBlank(), "jti");
        assertTrue(jwt.getIssuedAtTime() > 0, "iat");
        Outcome again = run(config(privatePem.toString()), "--org", "acme", "--role", "admin");
        assertTrue(!jwt.getTokenID().equals(verify(again.stdout.strip(), pair.getPublic(), "kavach-ledger").getTokenID()),
                "a fresh jti per token");

        Map<String, String> properties = new HashMap<>();
        properties.put(TokenCommand.SIGN_KEY_LOCATION, privatePem.toString());
        properties.put(JwtPolicy.MAX_AGE, "PT1H");
        Config oneHour = TokenCommand.configuration("prod", new PropertiesConfigSource(properties, "test", 500));
        Outcome tooLong = run(oneHour, "--org", "acme", "--role", "admin", "--ttl", "3601");
        assertEquals(2, tooLong.exitCode);
        assertTrue(tooLong.stderr.contains("--ttl must be between 1 and 3600 seconds (kavach.jwt.max-age)"), tooLong.stderr);
        assertEquals(0, run(oneHour, "--org", "acme", "--role", "admin", "--ttl", "3600").exitCode);
    }

    @Test
    void issuerFollowsTheVerifyIssuerTheServiceChecks() throws Exception {
        Map<String, String> properties = new HashMap<>();
        properties.put(TokenCommand.SIGN_KEY_LOCATION, "file:" + privatePem);
        properties.put(TokenCommand.VERIFY_ISSUER, "https://issuer.example");
        Outcome outcome = run(TokenCommand.configuration("prod", new PropertiesConfigSource(properties, "test", 500)),
                "--org", "acme", "--role", "admin");
        assertEquals(0, outcome.exitCode, outcome.stderr);
        verify(outcome.stdout.strip(), pair.getPublic(), "https://issuer.example");
        assertThrows(ParseException.class, () -> verify(outcome.stdout.strip(), pair.getPublic(), "kavach-ledger"));
    }

    @Test
    void aTokenDoesNotVerifyWithAnotherKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PublicKey stranger = generator.generateKeyPair().getPublic();
        Outcome outcome = run(config(privatePem.toString()), "--org", "acme", "--role", "admin");
        assertThrows(ParseException.class, () -> verify(outcome.stdout.strip(), stranger, "kavach-ledger"));
    }

    @Test
    void badArgumentsExitNonZeroWithOneLineOnStderrAndNothingOnStdout() {
        Map<List<String>, String> cases = Map.ofEntries(
                Map.entry(List.of("--org", "acme", "--role", "root"), "unknown role \"root\""),
                Map.entry(List.of("--org", "acme", "--role", "sdk"), "unknown role \"sdk\""),
                Map.entry(List.of("--org", "acme corp", "--role", "admin"), "invalid org id"),
                Map.entry(List.of("--org", "x".repeat(65), "--role", "admin"), "invalid org id"),
                Map.entry(List.of("--org", "", "--role", "admin"), "invalid org id"),
                Map.entry(List.of("--org", "acme", "--role", "admin", "--ttl", "0"), "--ttl must be between 1 and 2592000"),
                Map.entry(List.of("--org", "acme", "--role", "admin", "--ttl", "2592001"), "--ttl must be between 1 and 2592000"),
                Map.entry(List.of("--org", "acme", "--role", "admin", "--ttl", "1h"), "--ttl must be a whole number"),
                Map.entry(List.of("--role", "admin"), "--org is required"),
                Map.entry(List.of("--org", "acme"), "--role is required"),
                Map.entry(List.of("--org", "acme", "--role"), "--role needs a value"),
                Map.entry(List.of("--org", "acme", "--role", "admin", "--group", "x"), "unknown argument \"--group\""));
        cases.forEach((args, message) -> {
            Outcome outcome = run(config(privatePem.toString()), args.toArray(String[]::new));
            assertEquals(2, outcome.exitCode, args.toString());
            assertEquals("", outcome.stdout, args.toString());
            assertEquals(1, outcome.stderr.lines().count(), outcome.stderr);
            assertTrue(outcome.stderr.contains(message), args + " -> " + outcome.stderr);
        });
    }

    @Test
    void missingOrUnreadableSigningKeyNamesTheProperty() throws Exception {
        Path notAKey = keys.resolve("not-a-key.pem");
        Files.writeString(notAKey, "hello\n");
        Map<String, String> cases = Map.of(
                "", "no signing key configured",
                keys.resolve("absent.pem").toString(), "no such file",
                notAKey.toString(), "is not a PEM RSA private key",
                publicPem.toString(), "is not a PEM RSA private key");
        cases.forEach((location, message) -> {
            Outcome outcome = run(config(location), "--org", "acme", "--role", "admin");
            assertEquals(1, outcome.exitCode, location);
            assertEquals("", outcome.stdout, location);
            assertEquals(1, outcome.stderr.lines().count(), outcome.stderr);
            assertTrue(outcome.stderr.contains(message), location + " -> " + outcome.stderr);
            assertTrue(outcome.stderr.contains("smallrye.jwt.sign.key.location"), outcome.stderr);
            assertTrue(outcome.stderr.contains("SMALLRYE_JWT_SIGN_KEY_LOCATION"), outcome.stderr);
        });
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        Outcome outcome = run(config(privatePem.toString()), "--help");
        assertEquals(0, outcome.exitCode);
        assertTrue(outcome.stdout.startsWith("usage:"), outcome.stdout);
    }

    private static Config config(String signKeyLocation) {
        return TokenCommand.configuration("prod", new PropertiesConfigSource(
                Map.of(TokenCommand.SIGN_KEY_LOCATION, signKeyLocation), "test", 500));
    }

    private static JsonWebToken verify(String token, PublicKey key, String issuer) throws ParseException {
        return new DefaultJWTParser(new JWTAuthContextInfo(key, issuer)).parse(token);
    }

    private record Outcome(int exitCode, String stdout, String stderr) {
    }

    private static Outcome run(Config config, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = TokenCommand.run(List.of(args), config,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
