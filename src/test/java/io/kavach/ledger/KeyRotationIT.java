package io.kavach.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JWT key rotation without downtime (docs/operations.md): a service verifying with the key set
 * that src/main/docker/jwks.sh writes for the old and the new public key accepts tokens the jar's
 * token command mints with either private key (it names its key by the same thumbprint), and
 * still refuses a key outside the set.
 */
class KeyRotationIT {

    private static final Path SCRIPTS = Path.of("src", "main", "docker");

    @TempDir
    Path dir;

    private Process service;
    private EmbeddedPostgres embedded;

    @AfterEach
    void stop() throws Exception {
        if (service != null && service.isAlive()) {
            service.destroy();
            if (!service.waitFor(60, TimeUnit.SECONDS)) {
                service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (embedded != null) {
            embedded.close();
        }
    }

    private String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), List.of(command) + " still running");
        assertEquals(0, process.exitValue(), List.of(command) + " failed: " + out);
        return out;
    }

    private Path keyPair(String name) throws Exception {
        Path keys = dir.resolve(name);
        run(Map.of("KAVACH_PRIVATE_KEY_DIR", keys.toString(), "KAVACH_PUBLIC_KEY_DIR", keys.toString()),
                SCRIPTS.resolve("keys-init.sh").toString());
        return keys;
    }

    private String token(Path jar, Path keys) throws Exception {
        return run(Map.of("SMALLRYE_JWT_SIGN_KEY_LOCATION", keys.resolve("private.pem").toString()),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(),
                "token", "--org", "rotation", "--role", "viewer").trim();
    }

    @Test
    void duringARotationTokensOfTheOldAndTheNewKeyAreBothAccepted() throws Exception {
        Assumptions.assumeTrue(run(Map.of(), "bash", "-c", "command -v openssl >/dev/null && echo yes").contains("yes"));
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "package first");
        Path old = keyPair("old");
        Path fresh = keyPair("new");
        Path stranger = keyPair("stranger");
        Path keySet = dir.resolve("keys.jwks");
        Files.writeString(keySet, run(Map.of(), SCRIPTS.resolve("jwks.sh").toString(),
                old.resolve("public.pem").toString(), fresh.resolve("public.pem").toString()));

        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile());
        builder.environment().putAll(database());
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try (ServerSocket management = new ServerSocket(0)) { // metrics: a port of this process's own
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(management.getLocalPort()));
        }
        builder.environment().put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", keySet.toString());
        service = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (status(http, port, "/q/health/ready", null) != 200) {
            assertTrue(service.isAlive() && Instant.now().isBefore(deadline),
                    "not ready:\n" + Files.readString(dir.resolve("service.log")));
            Thread.sleep(250); // polling a starting process
        }

        assertEquals(200, status(http, port, "/v1/org/budgets", token(jar, old)), "a token of the old key");
        assertEquals(200, status(http, port, "/v1/org/budgets", token(jar, fresh)), "a token of the new key");
        assertEquals(401, status(http, port, "/v1/org/budgets", token(jar, stranger)), "a key outside the set");
    }

    private static int status(HttpClient http, int port, String path, String token) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
            return -1;
        }
    }

    private Map<String, String> database() throws IOException {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (url != null && !url.isBlank()) {
            return Map.of("QUARKUS_DATASOURCE_JDBC_URL", url,
                    "QUARKUS_DATASOURCE_USERNAME", System.getenv().getOrDefault("QUARKUS_DATASOURCE_USERNAME", ""),
                    "QUARKUS_DATASOURCE_PASSWORD", System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""));
        }
        embedded = EmbeddedPostgres.builder().start();
        return Map.of("QUARKUS_DATASOURCE_JDBC_URL", "jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres",
                "QUARKUS_DATASOURCE_USERNAME", "postgres", "QUARKUS_DATASOURCE_PASSWORD", "");
    }
}
