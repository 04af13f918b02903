package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.NumberText;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.ServerCost;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The findings of the hostile-tenant review, one test each: every request below used to cost
 * seconds of CPU, hundreds of megabytes, a 500 or a lock on another org's row. Each is now a
 * clear 4xx, bounded in CPU and memory (measured on the service's threads, not on a clock), and
 * leaves nothing behind.
 */
@QuarkusTest
class HostileRequestsTest {

    /** Generous: the refused requests below took 13.5 s of CPU (1e-20000000) or minutes before. */
    private static final long CPU_NANOS_MAX = 2_000_000_000L;

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);
    private final String admin = Tokens.admin(org);

    // ---- 1: numbers bounded by their text, before any arithmetic ----------------------------------

    @Test
    void hugeExponentsAreAFast422OnEveryRouteThatReadsANumber() {
        String id = given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"a\",\"amount\":1}").post("/v1/reservations").then().statusCode(201)
                .extract().path("id");
        for (String number : List.of("1e-20000000", "1e-900000000", "1E+900000000", "1" + "0".repeat(400))) {
            cheap(() -> sdk("/v1/reservations", "{\"agent_name\":\"a\",\"amount\":" + number + "}")
                    .statusCode(422).body("errors[0].field", equalTo("amount"))
                    .body("errors[0].message", equalTo(NumberText.RULE)));
            cheap(() -> sdk("/v1/reservations/" + id + "/commit", "{\"cost\":" + number + "}")
                    .statusCode(422).body("errors[0].field", equalTo("cost")));
            cheap(() -> management("post", "/v1/org/budgets", "{\"period\":\"daily\",\"limit_value\":" + number + "}")
                    .statusCode(422).body("errors[0].field", equalTo("limit_value")));
            cheap(() -> management("put", "/v1/agents/a/budgets",
                    "{\"budgets\":[{\"period\":\"daily\",\"limit_value\":" + number + "}]}")
                    .statusCode(422).body("errors[0].field", equalTo("budgets[0].limit_value")));
            cheap(() -> sdk("/v1/sync-config", "{\"agent_name\":\"a\",\"budgets\":[{\"period\":\"daily\",\"limit_value\":"
                    + number + "}],\"alert_configs\":[{\"threshold\":" + number + "}]}")
                    .statusCode(422).body("errors.field", containsInAnyOrder("budgets[0].limit_value", "alert_configs[0].threshold")));
            // Ingest: the event is rejected alone; its batch-mate is booked.
            cheap(() -> sdk("/v1/ingest", "{\"events\":[{\"agent_name\":\"a\",\"cost\":" + number + "},"
                    + "{\"agent_name\":\"a\",\"cost\":0.5}]}")
                    .statusCode(202).body("accepted", equalTo(1)).body("rejected[0].errors[0].field", equalTo("cost")));
        }
        cheap(() -> given().auth().oauth2(admin).contentType("application/yaml")
                .body(bytes("org_budget: {limit: 1.5e-20000000, period: daily}\n")).put("/v1/config").then()
                .statusCode(422).body("errors[0].field", equalTo("org_budget.limit")));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM budget WHERE org_id = ?", org));
    }

    @Test
    void nanAndInfinityAreA422ForTheFieldNotAMalformedBody() {
        sdk("/v1/reservations", "{\"agent_name\":\"a\",\"amount\":NaN}").statusCode(422)
                .body("errors[0].message", equalTo(NumberText.FINITE_RULE));
        sdk("/v1/ingest", "{\"events\":[{\"agent_name\":\"a\",\"cost\":Infinity},{\"agent_name\":\"a\",\"cost\":1}]}")
                .statusCode(202).body("accepted", equalTo(1));
        sdk("/v1/reservations", "{\"agent_name\":\"a\",\"amount\":\"NaN\"}").statusCode(422)
                .body("errors[0].message", equalTo("must be a number (USD)"));
    }

    // ---- 2: one clean-text rule for every free-text field ------------------------------------------

    @Test
    void controlCharactersInAnyFreeTextFieldAre422AndNeverReachPostgreSQL() {
        for (String field : List.of("model", "provider", "run_id", "idempotency_key")) {
            for (String bad : List.of("\\u0000", "\\u0007", "\\u202e", "\\ud800")) {
                sdk("/v1/reservations", "{\"agent_name\":\"a\",\"amount\":1,\"" + field + "\":\"x" + bad + "y\"}")
                        .statusCode(422).body("errors[0].field", equalTo(field));
            }
        }
        // Ingest: each event with a NUL anywhere is rejected alone; the clean one is booked.
        sdk("/v1/ingest", """
                {"events":[{"agent_name":"a","cost":1,"model":"m\\u0000"},{"agent_name":"a","cost":1,"provider":"\\u0000"},
                 {"agent_name":"a","cost":1,"run_id":"r\\u0000"},{"agent_name":"a","cost":1,"idempotency_key":"k\\u0000"},
                 {"agent_name":"a","cost":1,"status":"error\\u0000"},{"agent_name":"a","cost":1,"status":"error"}]}
                """).statusCode(202).body("accepted", equalTo(1))
                .body("rejected.index", contains(0, 1, 2, 3, 4));
        sdk("/v1/sync-config", "{\"agent_name\":\"a\",\"alert_configs\":[{\"channel\":\"web\\u0000hook\"}]}")
                .statusCode(422).body("errors[0].field", equalTo("alert_configs[0].channel"));
        sdk("/v1/sync-config", "{\"agent_name\":\"a\",\"budgets\":[{\"period\":\"per_run\",\"note\":\"\\u202e\"}]}")
                .statusCode(422).body("errors[0].field", equalTo("budgets[0].note"));
        given().auth().oauth2(admin).contentType("application/yaml").body(bytes("defaults:\n  note: \"a\\0b\"\n"))
                .put("/v1/config").then().statusCode(422).body("errors[0].field", equalTo("defaults.note"));
        management("post", "/v1/api-keys", "{\"name\":\"\\u202eci\"}").statusCode(422)
                .body("errors[0].message", containsString("bidirectional"));
        management("post", "/v1/api-keys", "{\"name\":\"c\\u0000i\"}").statusCode(422);
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id = ?", org));
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        assertEquals(1, Fixtures.queryLong("SELECT count(*) FROM api_key WHERE org_id = ?", org), "only the fixture's key");
    }

    // ---- 3: streaming ingest, bounded memory ---------------------------------------------------------

    @Test
    void aGzipOfMillionsOfEmptyEventsStopsAtEvent5001InBoundedMemory() throws IOException {
        byte[] bomb = gzip("{\"events\":[", "{},", 10 * 1024 * 1024 / 3, "{}]}");
        assertTrue(bomb.length < 64 * 1024, "about 20 KiB on the wire: " + bomb.length);
        ServerCost cost = ServerCost.start();
        given().auth().oauth2(key).contentType("application/json").header("Content-Encoding", "gzip").body(bomb)
                .post("/v1/ingest").then().statusCode(413).contentType("application/problem+json")
                .body("reason", equalTo("too_many_events"));
        ServerCost.Cost spent = cost.stop();
        System.out.printf("[HostileRequestsTest] 3.5M-event gzip bomb: %.1f ms CPU, %d KiB allocated%n",
                spent.cpuMillis(), spent.allocatedBytes() / 1024);
        // The whole tree was hundreds of MB; 5,000 parsed empty events and a 64 KiB inflater are not.
        assertTrue(spent.allocatedBytes() < 64L * 1024 * 1024, "allocated " + spent.allocatedBytes());
        // The same flood without gzip: refused at its route's limit, or at event 5,001.
        byte[] plain = ("{\"events\":[" + "{},".repeat(6_000) + "{}]}").getBytes(StandardCharsets.UTF_8);
        sdkBytes("/v1/ingest", plain).statusCode(413).body("reason", equalTo("too_many_events"));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
    }

    @Test
    void aBombOfOneUnreadFieldStopsAtTheInflatedLimit() throws IOException {
        byte[] bomb = gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"prompt\":\"", "a", 11 * 1024 * 1024, "\"}]}");
        ServerCost cost = ServerCost.start();
        given().auth().oauth2(key).contentType("application/json").header("Content-Encoding", "gzip").body(bomb)
                .post("/v1/ingest").then().statusCode(413).body("reason", equalTo("body_too_large"));
        ServerCost.Cost spent = cost.stop();
        System.out.printf("[HostileRequestsTest] 11 MiB one-string bomb: %.1f ms CPU, %d KiB allocated%n",
                spent.cpuMillis(), spent.allocatedBytes() / 1024);
        assertTrue(spent.allocatedBytes() < 64L * 1024 * 1024, "the skipped string is never held: " + spent.allocatedBytes());
    }

    @Test
    void aYamlLineOfHundredsOfKilobytesIsRefusedBeforeTheParserCopiesItOverAndOver() {
        // Found by the sweep: SnakeYAML copies its look-ahead window per kilobyte of one token, so
        // this 600 KB scalar once cost 2.5 s of CPU and a gigabyte of garbage.
        ServerCost cost = ServerCost.start();
        given().auth().oauth2(admin).contentType("application/yaml").body(bytes("x: \"" + "a".repeat(600_000) + "\"\n"))
                .put("/v1/config?dry_run=true").then().statusCode(400).body("reason", equalTo("malformed_yaml"))
                .body("detail", containsString("Line 1 is longer than"));
        ServerCost.Cost spent = cost.stop();
        System.out.printf("[HostileRequestsTest] 600 KB YAML line: %.1f ms CPU, %d KiB allocated%n",
                spent.cpuMillis(), spent.allocatedBytes() / 1024);
        assertTrue(spent.allocatedBytes() < 64L * 1024 * 1024, "allocated " + spent.allocatedBytes());
        // Long text is still fine where it has line breaks, as real files do (folded into one line of text).
        given().auth().oauth2(admin).contentType("application/yaml")
                .body(bytes("defaults:\n  note: >-\n" + ("    " + "word ".repeat(1000).trim() + "\n").repeat(50)))
                .put("/v1/config?dry_run=true").then().statusCode(200);
    }

    // ---- per-route body limits ------------------------------------------------------------------------

    @Test
    void aReservationMayNotBeMegabytesDeclaredOrChunked() {
        byte[] body = new byte[9 * 1024];
        Arrays.fill(body, (byte) ' ');
        body[0] = '{';
        body[body.length - 1] = '}';
        sdkBytes("/v1/reservations", body).statusCode(413).body("reason", equalTo("body_too_large"))
                .body("limit_bytes", equalTo(8192)).header("Connection", "close");
        given().auth().oauth2(key).contentType("application/json").body(new java.io.ByteArrayInputStream(body))
                .post("/v1/reservations").then().statusCode(413).contentType("application/problem+json")
                .body("reason", equalTo("body_too_large"));
        // Unauthenticated: refused on its declared size before anything else.
        given().contentType("application/json").body(body).post("/v1/reservations").then().statusCode(413);
        // The same bytes are fine where the route needs them (a pool's member list).
        management("post", "/v1/shared-budgets", "{\"name\":\"p\",\"period\":\"daily\",\"limit_value\":1" + " ".repeat(9 * 1024) + "}")
                .statusCode(201);
    }

    // ---- 9: secrets are not cached, key names obey the text rule -------------------------------------

    @Test
    void aNewKeyIsNeverCachedAndItsNameIsCleanText() {
        management("post", "/v1/api-keys", "{\"name\":\"ci\"}").statusCode(201)
                .header("Cache-Control", equalTo("no-store"));
        management("post", "/v1/api-keys", "{\"name\":\"ci\\u2066x\"}").statusCode(422)
                .body("errors[0].message", equalTo(new RequestReader.Text(64, false).rule()));
        given().auth().oauth2(admin).get("/v1/config").then().statusCode(200).header("Cache-Control", equalTo("no-store"));
        given().auth().oauth2(admin).get("/v1/api-keys").then().statusCode(200)
                .body("api_keys.name", hasItem("ci"));
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs a refused request and checks what the service spent on it. */
    private static void cheap(Runnable request) {
        ServerCost cost = ServerCost.start();
        request.run();
        ServerCost.Cost spent = cost.stop();
        assertTrue(spent.cpuNanos() < CPU_NANOS_MAX, "a refused number cost " + spent.cpuMillis() + " ms of CPU");
    }

    private ValidatableResponse sdk(String path, String body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post(path).then();
    }

    private ValidatableResponse sdkBytes(String path, byte[] body) {
        return given().auth().oauth2(key).contentType("application/json").body(body).post(path).then();
    }

    private ValidatableResponse management(String method, String path, String body) {
        var request = given().auth().oauth2(admin).contentType("application/json").body(body);
        return (method.equals("put") ? request.put(path) : request.post(path)).then();
    }

    /** {@code head}, {@code unit} repeated {@code times}, {@code tail}, gzipped without ever being held whole. */
    static byte[] gzip(String head, String unit, int times, String tail) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(head.getBytes(StandardCharsets.UTF_8));
            byte[] chunk = unit.repeat(Math.max(1, 65_536 / unit.length())).getBytes(StandardCharsets.UTF_8);
            int perChunk = Math.max(1, 65_536 / unit.length());
            int left = times;
            while (left >= perChunk) {
                gzip.write(chunk);
                left -= perChunk;
            }
            gzip.write(unit.repeat(left).getBytes(StandardCharsets.UTF_8));
            gzip.write(tail.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
