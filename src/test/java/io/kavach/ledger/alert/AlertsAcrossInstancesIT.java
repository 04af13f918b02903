package io.kavach.ledger.alert;

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
import java.io.IOException;
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
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service, several processes on one database: two agents crossing an 80% pool rule
 * together on two instances fire it once; both instances are killed with SIGKILL before any
 * delivery (their workers are off), and a third instance started afterwards delivers the alert.
 */
class AlertsAcrossInstancesIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    @Test
    void crossingOnTwoInstancesFiresOnceAndSurvivesKillNineUntilAnotherInstanceDelivers() throws Exception {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "needs QUARKUS_DATASOURCE_JDBC_URL to a shared PostgreSQL");
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged service is missing: " + jar.toAbsolutePath());
        KeyPair keys = KeyPairGenerator.getInstance("RSA").genKeyPair();
        Path publicKey = pem(dir.resolve("public.pem"), "PUBLIC KEY", keys.getPublic().getEncoded());

        try (Receiver receiver = new Receiver(0); Connection db = connect()) {
            // Two instances whose delivery workers are off: whatever fires stays in the outbox.
            int[] ports = {start(jar, publicKey, "off"), start(jar, publicKey, "off")};
            String org = "org-alert-it-" + UUID.randomUUID().toString().substring(0, 8);
            String apiKey = ApiKeys.generate("prod");
            execute(db, "INSERT INTO org (id) VALUES (?)", org);
            execute(db, "INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) VALUES (?, ?, 'it', 'prod', ?, ?)",
                    UUID.randomUUID(), org, ApiKeys.visiblePrefix(apiKey), ApiKeys.hash(apiKey));
            execute(db, "INSERT INTO agent (org_id, name) VALUES (?, 'a1'), (?, 'a2')", org, org);
            UUID pool = UUID.randomUUID();
            execute(db, "INSERT INTO budget (id, org_id, scope, name, period, limit_value) VALUES (?, ?, 'shared', 'eng', 'daily', 10)",
                    pool, org);
            execute(db, "INSERT INTO pool_member (budget_id, agent_id) SELECT ?, id FROM agent WHERE org_id = ?", pool, org);
            execute(db, "INSERT INTO alert_rule (id, org_id, scope, name, period, threshold, channel, target, secret) "
                    + "VALUES (?, ?, 'shared', 'eng', 'daily', 0.8, 'webhook', ?, ?)", UUID.randomUUID(), org,
                    receiver.url("/it"), SECRET);
            Thread.sleep(2_500); // each instance reloads its rule index every second

            // a1 on one instance and a2 on the other, each $0.5 at a time, together past $8.
            ExecutorService threads = Executors.newFixedThreadPool(2);
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int port = ports[i];
                String agent = "a" + (i + 1);
                done.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int n = 0; n < 10; n++) {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(port, "/v1/ingest"))
                                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"events\":[{\"agent_name\":\"" + agent
                                        + "\",\"cost\":0.5,\"idempotency_key\":\"" + agent + "-" + n + "\"}]}"))
                                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                        assertTrue(response.statusCode() == 202 || response.statusCode() == 429, response.body());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertEquals(1, count(db, "SELECT count(*) FROM alert_event WHERE org_id = ?", org), "fired once");
            assertEquals(1, count(db, "SELECT count(*) FROM alert_event WHERE org_id = ? AND status = 'pending'", org));

            for (Process process : processes) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
            }
            assertEquals(0, receiver.requests.size(), "nothing was delivered before the kill");

            start(jar, publicKey, "1s");
            receiver.awaitRequests(1, 30_000);
            assertEquals(1, receiver.requests.size(), "delivered after the restart");
            Receiver.Request request = receiver.requests.get(0);
            assertTrue(AlertDeliveryTest.verify(SECRET, request.header("webhook-id"), request.header("webhook-timestamp"),
                    request.body(), request.header("webhook-signature")));
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline
                    && count(db, "SELECT count(*) FROM alert_event WHERE org_id = ? AND status = 'delivered'", org) == 0) {
                Thread.sleep(100);
            }
            assertEquals(1, count(db, "SELECT count(*) FROM alert_event WHERE org_id = ? AND status = 'delivered'", org));
        } catch (AssertionError | Exception e) {
            printTails(logs);
            throw e;
        } finally {
            stop(processes);
        }
    }

    /** Starts one packaged instance (delivery worker every {@code pollInterval}, or off) and waits until it is ready. */
    private int start(Path jar, Path publicKey, String pollInterval) throws Exception {
        int port = freePort();
        Path log = dir.resolve("instance-" + processes.size() + ".log");
        logs.add(log);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toAbsolutePath().toString());
        env.put("KAVACH_ALERTS_POLL_INTERVAL", pollInterval);
        env.put("KAVACH_ALERTS_ALLOW_PRIVATE_TARGETS", "true"); // the receiver listens on 127.0.0.1
        Process process = builder.start();
        processes.add(process);
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("instance exited with " + process.exitValue() + ":\n" + tail(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(uri(port, "/q/health/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return port;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(250); // polling a starting process: there is no clock to move here
        }
        throw new AssertionError("instance not ready within " + START_TIMEOUT + ":\n" + tail(log));
    }

    private static long count(Connection db, String sql, String org) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, org);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static Connection connect() throws SQLException {
        String password = System.getenv("QUARKUS_DATASOURCE_PASSWORD");
        return DriverManager.getConnection(System.getenv("QUARKUS_DATASOURCE_JDBC_URL"),
                System.getenv("QUARKUS_DATASOURCE_USERNAME"), password == null ? "" : password);
    }

}
