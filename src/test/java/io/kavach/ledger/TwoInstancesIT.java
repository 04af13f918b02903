package io.kavach.ledger;

import static io.kavach.ledger.testing.PackagedJar.execute;
import static io.kavach.ledger.testing.PackagedJar.freePort;
import static io.kavach.ledger.testing.PackagedJar.pem;
import static io.kavach.ledger.testing.PackagedJar.printTails;
import static io.kavach.ledger.testing.PackagedJar.stop;
import static io.kavach.ledger.testing.PackagedJar.tail;
import static io.kavach.ledger.testing.PackagedJar.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.security.ApiKeys;
import io.smallrye.jwt.build.Jwt;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes of the packaged service on one database cannot overspend together.
 * Runs in the failsafe phase against {@code target/quarkus-app}, in the prod profile, with the
 * same {@code QUARKUS_DATASOURCE_*} environment the unit tests use.
 */
class TwoInstancesIT {

    private static final int THREADS = 64;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void twoInstancesOnOneDatabaseAdmitExactlyWhatThePoolHolds() throws Exception {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "TwoInstancesIT needs QUARKUS_DATASOURCE_JDBC_URL "
                + "(and _USERNAME/_PASSWORD) to a PostgreSQL both instances can share; skipped without it");
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged service is missing: " + jar.toAbsolutePath());

        KeyPair keys = KeyPairGenerator.getInstance("RSA").genKeyPair();
        Path publicKey = pem(dir.resolve("public.pem"), "PUBLIC KEY", keys.getPublic().getEncoded());
        Path privateKey = pem(dir.resolve("private.pem"), "PRIVATE KEY", keys.getPrivate().getEncoded());

        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            int[] ports = {freePort(), freePort()};
            for (int i = 0; i < ports.length; i++) {
                Path log = dir.resolve("instance-" + i + ".log");
                logs.add(log);
                ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-jar", jar.toAbsolutePath().toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                Map<String, String> env = builder.environment();
                env.put("QUARKUS_HTTP_PORT", Integer.toString(ports[i]));
                env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort())); // metrics: a port of each instance's own
                env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toAbsolutePath().toString());
                env.put("SMALLRYE_JWT_SIGN_KEY_LOCATION", privateKey.toAbsolutePath().toString());
                processes.add(builder.start());
            }

            String org = "org-it-" + UUID.randomUUID().toString().substring(0, 8);
            String apiKey = ApiKeys.generate("prod");
            try (Connection db = connect()) {
                // The tables exist once either instance has migrated; wait for readiness first.
                for (int i = 0; i < ports.length; i++) {
                    awaitReady(ports[i], processes.get(i), logs.get(i));
                }
                execute(db, "INSERT INTO org (id) VALUES (?)", org);
                execute(db, "INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) "
                        + "VALUES (?, ?, 'it', 'prod', ?, ?)", UUID.randomUUID(), org, ApiKeys.visiblePrefix(apiKey),
                        ApiKeys.hash(apiKey));
                execute(db, "INSERT INTO agent (org_id, name) VALUES (?, 'bot')", org);
                UUID pool = UUID.randomUUID();
                execute(db, "INSERT INTO budget (id, org_id, scope, name, period, limit_value) "
                        + "VALUES (?, ?, 'shared', 'hot-pool', 'daily', 1.00)", pool, org);
                execute(db, "INSERT INTO pool_member (budget_id, agent_id) "
                        + "SELECT ?, id FROM agent WHERE org_id = ? AND name = 'bot'", pool, org);

                List<Integer> statuses = race(ports, apiKey);
                assertEquals(33, statuses.stream().filter(s -> s == 201).count(),
                        "floor(1.00 / 0.03) holds fit across both instances: " + statuses);
                assertEquals(31, statuses.stream().filter(s -> s == 429).count(), "the rest is refused: " + statuses);
                assertEquals(0, new BigDecimal("0.99").compareTo(reserved(db, org)), "the pool holds exactly 0.99");
            }

            String token = Jwt.issuer("kavach-ledger").subject("two-instances-it").claim("org", org)
                    .groups(Set.of("admin")).expiresIn(Duration.ofMinutes(5)).sign(keys.getPrivate());
            for (int port : ports) {
                HttpResponse<String> audit = http.send(HttpRequest.newBuilder(uri(port, "/v1/admin/audit"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, audit.statusCode(), "audit on port " + port + ": " + audit.body());
                assertTrue(audit.body().replace(" ", "").contains("\"drift\":[]"),
                        "no drift on port " + port + ": " + audit.body());
            }
        } catch (AssertionError | Exception e) {
            printTails(logs);
            throw e;
        } finally {
            stop(processes);
        }
    }

    /** 64 threads behind a barrier, alternating between the instances; the HTTP status of each. */
    private List<Integer> race(int[] ports, String apiKey) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier barrier = new CyclicBarrier(THREADS);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                int port = ports[i % ports.length];
                futures.add(pool.submit((Callable<Integer>) () -> {
                    HttpRequest request = HttpRequest.newBuilder(uri(port, "/v1/reservations"))
                            .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"agent_name\":\"bot\",\"amount\":0.03}"))
                            .build();
                    barrier.await(60, TimeUnit.SECONDS);
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 201 && response.statusCode() != 429) {
                        throw new AssertionError("port " + port + " answered " + response.statusCode() + ": "
                                + response.body());
                    }
                    return response.statusCode();
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get(120, TimeUnit.SECONDS));
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    private void awaitReady(int port, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("instance on port " + port + " exited with " + process.exitValue()
                        + ":\n" + tail(log));
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(uri(port, "/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250); // polling a starting process: there is no clock to move here
        }
        throw new AssertionError("instance on port " + port + " not ready within " + START_TIMEOUT + ":\n" + tail(log));
    }

    private static BigDecimal reserved(Connection db, String org) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("SELECT coalesce(sum(w.reserved), 0) FROM budget_window w "
                + "JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? AND b.scope = 'shared'")) {
            query.setString(1, org);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getBigDecimal(1);
            }
        }
    }

    private static Connection connect() throws SQLException {
        String user = System.getenv("QUARKUS_DATASOURCE_USERNAME");
        String password = System.getenv("QUARKUS_DATASOURCE_PASSWORD");
        return DriverManager.getConnection(System.getenv("QUARKUS_DATASOURCE_JDBC_URL"), user,
                password == null ? "" : password);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

}
