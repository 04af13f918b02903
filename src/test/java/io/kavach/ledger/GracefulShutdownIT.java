package io.kavach.ledger;

import static io.kavach.ledger.testing.PackagedJar.execute;
import static io.kavach.ledger.testing.PackagedJar.freePort;
import static io.kavach.ledger.testing.PackagedJar.pem;
import static io.kavach.ledger.testing.PackagedJar.tail;
import static io.kavach.ledger.testing.PackagedJar.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.security.ApiKeys;
import io.smallrye.jwt.build.Jwt;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM under load (docs/operations.md, "Shutdown"): the packaged service stops taking requests,
 * answers every one it had taken — including commands waiting in a ledger lane — and exits. No
 * caller reads a 5xx, and every reservation or ingest it acknowledged is in the database; a new
 * instance then finds no audit drift. Runs against {@code target/quarkus-app} in the prod profile,
 * on {@code QUARKUS_DATASOURCE_*} if set, else on an embedded PostgreSQL of its own.
 */
class GracefulShutdownIT {

    private static final int CLIENTS = 24;
    private static final int ACKNOWLEDGED_BEFORE_SIGTERM = 300;
    private static final int REQUESTS_PER_CLIENT_MAX = 20_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern RESERVATION_ID = Pattern.compile("^\\{\"id\":\"([0-9a-f-]{36})\"");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final List<Process> processes = new ArrayList<>();
    private EmbeddedPostgres embedded;
    private String jdbcUrl;
    private String user;
    private String password;

    /** One answer (or its absence) as a client saw it. */
    private record Answer(String kind, int status, String body, List<String> keys, long completedAtNanos) {
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (embedded != null) {
            embedded.close();
        }
    }

    @Test
    void sigtermUnderLoadAnswersEveryCallerLosesNoAcknowledgedCommandAndAnswersNo5xx() throws Exception {
        database();
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged service is missing: " + jar.toAbsolutePath());
        KeyPair keys = KeyPairGenerator.getInstance("RSA").genKeyPair();
        Path publicKey = pem(dir.resolve("public.pem"), "PUBLIC KEY", keys.getPublic().getEncoded());

        int port = freePort();
        Path log = dir.resolve("draining.log");
        // Each batch waits up to 200 ms for company, so commands are always queued in the lanes
        // when SIGTERM arrives; JSON logs, as an operator would switch them on.
        Process service = start(jar, port, publicKey, log, Map.of(
                "KAVACH_LEDGER_BATCHING_MAX_WAIT", "PT0.2S",
                "QUARKUS_LOG_CONSOLE_JSON", "true"));
        awaitReady(port, service, log);

        String org = "org-drain-" + UUID.randomUUID().toString().substring(0, 8);
        String apiKey = ApiKeys.generate("prod");
        try (Connection db = connect()) {
            execute(db, "INSERT INTO org (id) VALUES (?)", org);
            execute(db, "INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) VALUES (?, ?, 'it', 'prod', ?, ?)",
                    UUID.randomUUID(), org, ApiKeys.visiblePrefix(apiKey), ApiKeys.hash(apiKey));
            execute(db, "INSERT INTO budget (id, org_id, scope, period, limit_value) VALUES (?, ?, 'org', 'daily', 1000000)",
                    UUID.randomUUID(), org);
        }

        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger connectionErrors = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            Thread thread = new Thread(() -> load(client, port, apiKey, answers, acknowledged, connectionErrors, stop),
                    "drain-client-" + c);
            thread.start();
            clients.add(thread);
        }
        long sigtermAt;
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
            while (acknowledged.get() < ACKNOWLEDGED_BEFORE_SIGTERM) {
                assertTrue(Instant.now().isBefore(deadline) && service.isAlive(),
                        "load never reached " + ACKNOWLEDGED_BEFORE_SIGTERM + " answers: " + acknowledged.get() + "\n" + tail(log));
                Thread.sleep(50); // polling a load running in other threads
            }
            sigtermAt = System.nanoTime();
            service.destroy(); // SIGTERM
            assertTrue(service.waitFor(90, TimeUnit.SECONDS), "the service did not exit after SIGTERM:\n" + tail(log));
        } finally {
            stop.set(true);
            for (Thread thread : clients) {
                thread.join(60_000);
            }
        }

        List<Answer> all = new ArrayList<>(answers);
        List<Answer> serverErrors = all.stream().filter(a -> a.status >= 500).toList();
        assertEquals(List.of(), serverErrors, "no caller reads a 5xx during the shutdown");
        List<Answer> drained = all.stream().filter(a -> a.status / 100 == 2 && a.completedAtNanos > sigtermAt).toList();
        assertFalse(drained.isEmpty(), "commands queued when SIGTERM arrived were answered after it ("
                + all.size() + " answers, " + connectionErrors.get() + " refused connections)");
        List<JsonNode> jsonLines = jsonLines(log);
        assertTrue(jsonLines.stream().anyMatch(line -> line.path("message").asText().startsWith("shutting down: taking no new requests")),
                "the drain is logged, as JSON:\n" + tail(log));
        assertTrue(jsonLines.stream().anyMatch(line -> line.path("message").asText().startsWith("drained: every request")),
                "every request taken was answered before the server closed:\n" + tail(log));

        List<String> reservations = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (Answer answer : all) {
            if (answer.kind.equals("reserve") && answer.status == 201) {
                Matcher id = RESERVATION_ID.matcher(answer.body);
                assertTrue(id.find(), answer.body);
                reservations.add(id.group(1));
            } else if (answer.kind.equals("ingest") && answer.status == 202) {
                assertTrue(answer.body.contains("\"accepted\":" + answer.keys.size()), answer.body);
                events.addAll(answer.keys);
            }
        }
        try (Connection db = connect()) {
            assertEquals(reservations.size(), count(db, "SELECT count(*) FROM reservation WHERE org_id = ? "
                    + "AND status = 'pending' AND id::text = ANY (?)", org, reservations),
                    "every 201 reservation is held in the database");
            assertEquals(events.size(), count(db, "SELECT count(*) FROM spend_event WHERE org_id = ? "
                    + "AND idempotency_key = ANY (?)", org, events), "every event of every 202 ingest is recorded");
        }

        // Another instance on the same database re-derives every counter from the journal.
        int next = freePort();
        Path nextLog = dir.resolve("next.log");
        Process successor = start(jar, next, publicKey, nextLog, Map.of());
        awaitReady(next, successor, nextLog);
        String token = Jwt.issuer("kavach-ledger").subject("graceful-shutdown-it").claim("org", org)
                .groups(Set.of("admin")).expiresIn(Duration.ofMinutes(5)).sign(keys.getPrivate());
        HttpResponse<String> audit = http.send(HttpRequest.newBuilder(uri(next, "/v1/admin/audit"))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, audit.statusCode(), audit.body());
        assertTrue(audit.body().replace(" ", "").contains("\"drift\":[]"), "no drift: " + audit.body());
        System.out.printf("GracefulShutdownIT: %d answers (%d 201 reservations, %d ingested events), %d after SIGTERM, "
                + "%d refused connections, exit status %d%n", all.size(), reservations.size(), events.size(),
                drained.size(), connectionErrors.get(), service.exitValue());
    }

    /** Reservations and 5-event ingest batches, each with fresh idempotency keys, until told to stop. */
    private void load(int client, int port, String apiKey, ConcurrentLinkedQueue<Answer> answers,
            AtomicInteger acknowledged, AtomicInteger connectionErrors, AtomicBoolean stop) {
        for (int n = 0; n < REQUESTS_PER_CLIENT_MAX && !stop.get(); n++) {
            String prefix = "c" + client + "-" + n;
            boolean reserve = n % 2 == 0;
            List<String> keys;
            String path;
            String body;
            if (reserve) {
                keys = List.of("r-" + prefix);
                path = "/v1/reservations";
                body = "{\"agent_name\":\"bot\",\"amount\":0.001,\"ttl_seconds\":3600,\"idempotency_key\":\"r-" + prefix + "\"}";
            } else {
                List<String> eventKeys = new ArrayList<>();
                StringBuilder batch = new StringBuilder("{\"events\":[");
                for (int e = 0; e < 5; e++) {
                    String key = "e-" + prefix + "-" + e;
                    eventKeys.add(key);
                    batch.append(e == 0 ? "" : ",").append("{\"agent_name\":\"bot\",\"cost\":0.0001,\"idempotency_key\":\"")
                            .append(key).append("\"}");
                }
                keys = Collections.unmodifiableList(eventKeys);
                path = "/v1/ingest";
                body = batch.append("]}").toString();
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(port, path))
                        .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                answers.add(new Answer(reserve ? "reserve" : "ingest", response.statusCode(), response.body(), keys,
                        System.nanoTime()));
                if (response.statusCode() / 100 == 2) {
                    acknowledged.incrementAndGet();
                }
            } catch (IOException notTaken) {
                // Refused or closed without an answer: nothing was acknowledged, the caller may retry.
                connectionErrors.incrementAndGet();
                try {
                    Thread.sleep(20); // back off from a closed port
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void database() throws IOException {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (url != null && !url.isBlank()) {
            jdbcUrl = url;
            user = System.getenv("QUARKUS_DATASOURCE_USERNAME");
            password = System.getenv().getOrDefault("QUARKUS_DATASOURCE_PASSWORD", "");
            return;
        }
        embedded = EmbeddedPostgres.builder().start();
        jdbcUrl = "jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres";
        user = "postgres";
        password = "";
    }

    private Process start(Path jar, int port, Path publicKey, Path log, Map<String, String> extra) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort())); // metrics: a port of this process's own
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toAbsolutePath().toString());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        env.put("QUARKUS_DATASOURCE_USERNAME", user == null ? "" : user);
        env.put("QUARKUS_DATASOURCE_PASSWORD", password == null ? "" : password);
        env.putAll(extra);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private void awaitReady(int port, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("instance on port " + port + " exited with " + process.exitValue() + ":\n" + tail(log));
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

    private static List<JsonNode> jsonLines(Path log) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("{")) {
                lines.add(mapper.readTree(line));
            }
        }
        return lines;
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, user, password == null ? "" : password);
    }

    private static long count(Connection db, String sql, String org, List<String> values) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, org);
            query.setArray(2, db.createArrayOf("text", values.toArray()));
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

}
