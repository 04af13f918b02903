package io.kavach.ledger.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prod start-up check: which verification-key settings let the service start. */
class PublicKeyCheckTest {

    @TempDir
    Path directory;

    @Test
    void missingKeyNamesThePropertyAndItsEnvironmentVariable() {
        String problem = PublicKeyCheck.problem(config(Map.of())).orElseThrow();
        assertTrue(problem.contains("mp.jwt.verify.publickey.location"), problem);
        assertTrue(problem.contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION"), problem);
    }

    @Test
    void unreadableOrWrongFilesAreRefused() throws Exception {
        Path privateKey = Files.writeString(directory.resolve("private.pem"),
                "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n");
        Map<String, String> cases = Map.of(
                directory.resolve("absent.pem").toString(), "no such file",
                "file:" + directory.resolve("absent.pem"), "no such file",
                directory.toString(), "not a readable file",
                privateKey.toString(), "holds a private key",
                "classpath:absent.pem", "is not on the classpath");
        cases.forEach((location, message) -> {
            String problem = PublicKeyCheck.problem(config(Map.of(PublicKeyCheck.LOCATION, location))).orElseThrow();
            assertTrue(problem.contains(message), location + " -> " + problem);
            assertTrue(problem.contains("MP_JWT_VERIFY_PUBLICKEY_LOCATION"), problem);
        });
    }

    @Test
    void aReadablePublicKeyFileAnInlineKeyOrAJwksUrlPass() throws Exception {
        Path publicKey = Files.writeString(directory.resolve("public.pem"),
                "-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----\n");
        assertEquals(Optional.empty(), PublicKeyCheck.problem(config(Map.of(PublicKeyCheck.LOCATION, publicKey.toString()))));
        assertEquals(Optional.empty(), PublicKeyCheck.problem(config(Map.of(PublicKeyCheck.LOCATION, "file:" + publicKey))));
        assertEquals(Optional.empty(), PublicKeyCheck.problem(config(Map.of(PublicKeyCheck.SMALLRYE_LOCATION, publicKey.toString()))));
        assertEquals(Optional.empty(), PublicKeyCheck.problem(config(Map.of(PublicKeyCheck.INLINE, "MIIBIjANBg"))));
        assertEquals(Optional.empty(), PublicKeyCheck.problem(
                config(Map.of(PublicKeyCheck.LOCATION, "https://issuer.example/.well-known/jwks.json"))));
    }

    private static Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 500)).build();
    }
}
