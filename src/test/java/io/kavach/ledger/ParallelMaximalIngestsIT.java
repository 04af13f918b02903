package io.kavach.ledger;

import static io.kavach.ledger.testing.PackagedJar.execute;
import static io.kavach.ledger.testing.PackagedJar.freePort;
import static io.kavach.ledger.testing.PackagedJar.pem;
import static io.kavach.ledger.testing.PackagedJar.uri;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.security.ApiKeys;
import io.kavach.ledger.testing.HostileRequests;
import io.smallrye.jwt.build.Jwt;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory per request is bounded: the packaged service, with the documented {@code -Xmx256m},
 * takes ten maximal ingests at once (each 10 MiB once inflated, as the SDK gzips them), then ten
 * gzip bombs at once, and answers every one 2xx or 4xx, never runs out of memory, and is healthy
 * and exact afterwards. Uses {@code QUARKUS_DATASOURCE_*} when set, else an embedded PostgreSQL.
 */
class ParallelMaximalIngestsIT {

    private static final int PARALLEL = 10;
    private static final int EVENTS = 5_000;
    private static final int INFLATED_BYTES_MAX = 10 * 1024 * 1024;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void tenMaximalIngestsAtOnceFitIn256MebibytesOfHeap() throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.isRegularFile(jar), "the packaged service is missing: " + jar.toAbsolutePath());
        EmbeddedPostgres embedded = null;
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        String user = System.getenv("QUARKUS_DATASOURCE_USERNAME");
        String password = System.getenv("QUARKUS_DATASOURCE_PASSWORD");
        if (url == null || url.isBlank()) {
            embedded = EmbeddedPostgres.builder().start();
            url = embedded.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "postgres";
        }
        KeyPair keys = KeyPairGenerator.getInstance("RSA").genKeyPair();
        Path publicKey = pem(dir.resolve("public.pem"), "PUBLIC KEY", keys.getPublic().getEncoded());
        Path log = dir.resolve("service.log");
        int port = freePort();
        Process service = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                    "-jar", jar.toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(freePort()));
            env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", publicKey.toAbsolutePath().toString());
            env.put("QUARKUS_DATASOURCE_JDBC_URL", url);
            env.put("QUARKUS_DATASOURCE_USERNAME", user == null ? "" : user);
            env.put("QUARKUS_DATASOURCE_PASSWORD", password == null ? "" : password);
            service = builder.start();
            awaitReady(port, service, log);

            List<String> orgs = new ArrayList<>();
            List<String> apiKeys = new ArrayList<>();
            try (Connection db = DriverManager.getConnection(url, user, password == null ? "" : password)) {
                for (int i = 0; i < PARALLEL; i++) {
                    String org = "org-ingest-" + UUID.randomUUID().toString().substring(0, 8);
                    String key = ApiKeys.generate("prod");
                    execute(db, "INSERT INTO org (id) VALUES (?)", org);
                    execute(db, "INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) "
                            + "VALUES (?, ?, 'it', 'prod', ?, ?)", UUID.randomUUID(), org, ApiKeys.visiblePrefix(key),
                            ApiKeys.hash(key));
                    execute(db, "INSERT INTO budget (id, org_id, scope, period, limit_value) VALUES (?, ?, 'org', 'daily', 1000000)",
                            UUID.randomUUID(), org);
                    orgs.add(org);
                    apiKeys.add(key);
                }
            }

            List<byte[]> maximal = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                maximal.add(gzip(maximalIngest("r1-" + i)));
            }
            Map<String, Integer> first = race(port, apiKeys, maximal);
            List<byte[]> bombs = List.of(
                    HostileRequests.gzip("{\"events\":[", "{},", 3_500_000, "{}]}"),
                    HostileRequests.gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"prompt\":\"", "a", 11 * 1024 * 1024, "\"}]}"),
                    HostileRequests.gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"model\":\"", "m", 9 * 1024 * 1024, "\"}]}"),
                    HostileRequests.gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"x\":", "[", 5_000_000, "]}"));
            List<byte[]> hostile = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                hostile.add(bombs.get(i % bombs.size()));
            }
            Map<String, Integer> second = race(port, apiKeys, hostile);
            System.out.println("[ParallelMaximalIngestsIT] 10 maximal ingests at once: " + first);
            System.out.println("[ParallelMaximalIngestsIT] 10 gzip bombs at once: " + second);
            System.out.println("[ParallelMaximalIngestsIT] service peak RSS: " + peakRss(service));

            assertTrue(first.keySet().stream().allMatch(s -> s.startsWith("2") || s.startsWith("4")), first.toString());
            assertEquals(PARALLEL, first.getOrDefault("202", 0), "ten orgs, each within its share: all recorded " + first);
            assertTrue(second.keySet().stream().allMatch(s -> s.startsWith("4")), second.toString());
            String output = Files.readString(log);
            assertFalse(output.contains("OutOfMemoryError"), "no OutOfMemoryError in the service log");
            assertTrue(service.isAlive(), "the service is still running");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri(port, "/q/health/ready"))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            for (String org : orgs) {
                String token = Jwt.issuer("kavach-ledger").subject("it").claim("org", org).groups(Set.of("admin"))
                        .expiresIn(Duration.ofMinutes(5)).sign(keys.getPrivate());
                HttpResponse<String> audit = http.send(HttpRequest.newBuilder(uri(port, "/v1/admin/audit"))
                        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, audit.statusCode(), audit.body());
                assertTrue(audit.body().replace(" ", "").contains("\"drift\":[]"), audit.body());
            }
        } catch (AssertionError | Exception e) {
            System.err.println("---- service log (last lines) ----");
            System.err.println(tail(log));
            throw e;
        } finally {
            if (service != null) {
                service.destroy();
                if (!service.waitFor(30, TimeUnit.SECONDS)) {
                    service.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** One org per request, all released at once behind a barrier; status (and reason) counts. */
    private Map<String, Integer> race(int port, List<String> apiKeys, List<byte[]> bodies) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(bodies.size());
        try {
            CyclicBarrier barrier = new CyclicBarrier(bodies.size());
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < bodies.size(); i++) {
                String key = apiKeys.get(i);
                byte[] body = bodies.get(i);
                answers.add(threads.submit((Callable<String>) () -> {
                    HttpRequest request = HttpRequest.newBuilder(uri(port, "/v1/ingest"))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .header("Content-Encoding", "gzip").timeout(Duration.ofMinutes(5))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                    barrier.await(60, TimeUnit.SECONDS);
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    java.util.regex.Matcher reason = java.util.regex.Pattern.compile("\"reason\":\"([a-z_]+)\"")
                            .matcher(response.body());
                    return response.statusCode() + (response.statusCode() >= 400 && reason.find() ? " " + reason.group(1) : "");
                }));
            }
            Map<String, Integer> counts = new TreeMap<>();
            for (Future<String> answer : answers) {
                counts.merge(answer.get(10, TimeUnit.MINUTES), 1, Integer::sum);
            }
            return counts;
        } finally {
            threads.shutdownNow();
        }
    }

    /** 5,000 events of about 2 KB each (the SDK's prompt, which the ledger skips, makes up most): just under 10 MiB. */
    private static byte[] maximalIngest(String prefix) {
        String label = "m".repeat(256);
        String run = "r".repeat(256);
        StringBuilder body = new StringBuilder(INFLATED_BYTES_MAX).append("{\"events\":[");
        String start = Instant.now().toString();
        for (int i = 0; i < EVENTS; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"agent_name\":\"agent-").append(i % 50).append("\",\"cost\":0.000001,\"model\":\"").append(label)
                    .append("\",\"provider\":\"openai\",\"run_id\":\"").append(run).append("\",\"idempotency_key\":\"")
                    .append(prefix).append('-').append(i).append("\",\"timestamp\":\"").append(start)
                    .append("\",\"input_tokens\":1200,\"output_tokens\":300,\"prompt\":\"PROMPT\"}");
        }
        body.append("]}");
        int room = INFLATED_BYTES_MAX - 1024 - (body.length() - EVENTS * "PROMPT".length());
        String prompt = "p".repeat(room / EVENTS);
        byte[] bytes = body.toString().replace("PROMPT", prompt).getBytes(StandardCharsets.UTF_8);
        assertTrue(bytes.length <= INFLATED_BYTES_MAX && bytes.length > INFLATED_BYTES_MAX - 16 * 1024,
                "just under 10 MiB inflated: " + bytes.length);
        return bytes;
    }

    private static byte[] gzip(byte[] body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(body);
        }
        return bytes.toByteArray();
    }

    private static String peakRss(Process process) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
                    .filter(line -> line.startsWith("VmHWM")).findFirst().orElse("unknown").replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private void awaitReady(int port, Process process, Path log) throws Exception {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("the service exited with " + process.exitValue() + ":\n" + tail(log));
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
        throw new AssertionError("the service was not ready within " + START_TIMEOUT + ":\n" + tail(log));
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
