package io.kavach.ledger;

import static io.kavach.ledger.testing.PackagedJar.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code docker compose up} and {@code docker compose run --rm token …} do, step by step,
 * with the image's own scripts and the packaged jar as plain processes (no Docker engine runs
 * here): keys-init.sh makes the pair, the service starts through entrypoint.sh with only the
 * public key, healthcheck.sh turns healthy, the token command mints a token with only the private
 * key, and the service accepts it.
 */
class ContainerFlowIT {

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

    private static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), List.of(command) + " still running");
        assertEquals(0, process.exitValue(), List.of(command) + " failed: " + out);
        return out;
    }

    @Test
    void keysServiceHealthcheckAndTokenCommandWorkTogetherAsComposeWiresThem() throws Exception {
        Assumptions.assumeTrue(run(Map.of(), "bash", "-c", "command -v openssl >/dev/null && echo yes").contains("yes"));
        Path app = Path.of("target", "quarkus-app").toAbsolutePath();
        assertTrue(Files.isRegularFile(app.resolve("quarkus-run.jar")), "package first");
        Path privateVolume = dir.resolve("jwt-private");
        Path publicVolume = dir.resolve("jwt-public");

        // keys: the one-shot service
        run(Map.of("KAVACH_PRIVATE_KEY_DIR", privateVolume.toString(), "KAVACH_PUBLIC_KEY_DIR", publicVolume.toString()),
                SCRIPTS.resolve("keys-init.sh").toString());

        // ledger: entrypoint.sh with the environment of docker-compose.yml, the public key only
        Map<String, String> env = new HashMap<>(database());
        int port = freePort();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicVolume.resolve("public.pem").toString());
        env.put("JAVA_OPTS", "-Xmx256m");
        env.put("KAVACH_APP_DIR", app.toString());
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Path log = dir.resolve("ledger.log");
        ProcessBuilder ledger = new ProcessBuilder(SCRIPTS.resolve("entrypoint.sh").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        ledger.environment().putAll(env);
        service = ledger.start();

        // healthcheck: what Docker runs until the container is healthy
        Map<String, String> health = Map.of("KAVACH_HEALTH_PORTS", Integer.toString(port));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (true) {
            ProcessBuilder builder = new ProcessBuilder(SCRIPTS.resolve("healthcheck.sh").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(health);
            Process probe = builder.start();
            if (probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                break;
            }
            assertTrue(service.isAlive(), "the service exited:\n" + Files.readString(log));
            assertTrue(Instant.now().isBefore(deadline), "never healthy:\n" + Files.readString(log));
            Thread.sleep(500); // polling a starting process, as Docker's health check does
        }

        // token: docker compose run --rm token --org acme --role admin (the private key only)
        String token = run(Map.of("SMALLRYE_JWT_SIGN_KEY_LOCATION", privateVolume.resolve("private.pem").toString(),
                "JAVA_OPTS", "-Xmx64m", "KAVACH_APP_DIR", app.toString(),
                "PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH")),
                SCRIPTS.resolve("entrypoint.sh").toString(), "token", "--org", "acme", "--role", "admin").trim();
        assertTrue(token.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"), "a JWT alone on stdout: " + token);

        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/org/budgets")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("{\"budget_type\":\"cost\",\"period\":\"daily\",\"limit_value\":100.0}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(created.statusCode() == 201 || created.statusCode() == 409,
                "the service trusts the token the token service minted: " + created.statusCode() + " " + created.body());

        // The packaged jar serves the dashboard and its chart library itself (no CDN).
        for (String path : List.of("/", "/dashboard.js", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(60)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), path);
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
