package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.HostileRequests;
import io.kavach.ledger.testing.ServerCost;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpDelete;
import org.apache.http.client.methods.HttpEntityEnclosingRequestBase;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.client.methods.HttpPut;
import org.apache.http.client.methods.HttpRequestBase;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.InputStreamEntity;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;

/**
 * The hostile-input sweep: {@value #REQUESTS} seeded, generated hostile requests against every
 * endpoint (see {@link HostileRequests}). Each must be answered 2xx, or 4xx with a problem+json
 * body that reveals no internals; a refused request (a 4xx that is not a budget decision) must
 * leave the org's rows and counters exactly as they were; the service's CPU for each request
 * (all its threads; never wall time) is bounded, and the slowest is printed. Afterwards the
 * ledger's own audit finds no drift. Rerun a failure with {@code -Dhostile.seed=<seed>}.
 */
@QuarkusTest
class HostileSweepTest {

    static final int REQUESTS = Integer.getInteger("hostile.requests", 10_000);
    static final int WARM_UP = 1_000;
    /** Far above the target (50 ms): only a request that does real damage (seconds, as before) fails. */
    static final long CPU_NANOS_MAX = 1_000_000_000L;
    static final long ALLOCATED_BYTES_MAX = 256L * 1024 * 1024;

    private static final Pattern INTERNALS = Pattern.compile(
            "\\b(java|javax|jakarta|io|org|com)\\.[a-z0-9_]+\\.[A-Za-z0-9_.$]+|\\bat [a-z][\\w.$]+\\(|Exception\\b|\\tat ");
    /** 429s that are the ledger's decision on a valid request (an ingest is recorded, a keyed refusal replayable). */
    /** A ledger decision: an ingest answered so still records its events (the spend happened). */
    private static final Pattern DECISION = Pattern.compile("\"reason\":\"([a-z_]*_exceeded|agent_paused)\"");

    @TestHTTPResource("/")
    URL base;
    @Inject
    AgroalDataSource dataSource;

    /** No retries, no decompression, no redirects: every answer exactly as the service gave it. */
    private final CloseableHttpClient client = HttpClients.custom().disableAutomaticRetries().disableContentCompression()
            .disableRedirectHandling().build();

    @Test
    void tenThousandHostileRequestsAreAnsweredWithoutA5xxAndRefusedOnesLeaveNothingBehind() throws Exception {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        System.out.println("[HostileSweepTest] seed " + seed + " (rerun with -Dhostile.seed=" + seed + ")");
        String org = Tokens.newOrg();
        String key = Fixtures.apiKey(org);
        String admin = Tokens.admin(org);
        Fixtures.orgBudget(org, "daily", "1000");
        String orgBudget = Fixtures.queryRows("SELECT id::text AS id FROM budget WHERE org_id = ?", org).get(0).get("id").toString();
        Fixtures.pool(org, "pool-0", "daily", "100", "agent-0", "agent-1");
        String reservation = given().auth().oauth2(key).contentType("application/json")
                .body("{\"agent_name\":\"agent-0\",\"amount\":0.01}").post("/v1/reservations").then().statusCode(201)
                .extract().path("id");
        HostileRequests requests = new HostileRequests(seed, new HostileRequests.Target(key, admin, Tokens.viewer(org),
                Tokens.admin(Tokens.newOrg()), reservation, orgBudget, "pool-0"));

        Map<String, Integer> statuses = new TreeMap<>();
        long slowestCpu = 0;
        String slowest = null;
        long mostAllocated = 0;
        String heaviest = null;
        for (int i = 0; i < WARM_UP + REQUESTS; i++) {
            HostileRequests.Request request = requests.next();
            String before = request.mutates() ? state(org) : null;
            ServerCost cost = ServerCost.start();
            Answer answer = send(request);
            ServerCost.Cost spent = cost.stop();
            String what = "request " + i + " (seed " + seed + "): " + request + " -> " + answer.status() + " " + answer.excerpt();

            if (answer.status() >= 500 || answer.status() < 200) {
                fail("no 5xx (or other non-answer): " + what);
            }
            if (answer.status() >= 400) {
                assertTrue(answer.contentType() != null && answer.contentType().startsWith("application/problem+json"),
                        "problem+json: " + what);
                assertTrue(answer.body().contains("\"reason\":\""), "a reason: " + what);
                assertTrue(!INTERNALS.matcher(answer.body()).find(), "no internals: " + what);
                if (before != null && !DECISION.matcher(answer.body()).find()) {
                    assertEquals(before, state(org), "a refused request changed nothing: " + what);
                }
            }
            if (i >= WARM_UP) {
                statuses.merge(Integer.toString(answer.status()), 1, Integer::sum);
                if (spent.cpuNanos() > slowestCpu) {
                    slowestCpu = spent.cpuNanos();
                    slowest = what;
                }
                if (spent.allocatedBytes() > mostAllocated) {
                    mostAllocated = spent.allocatedBytes();
                    heaviest = what;
                }
            }
        }
        System.out.println("[HostileSweepTest] " + REQUESTS + " requests (after " + WARM_UP + " warm-up) over "
                + HostileRequests.endpoints().size() + " endpoint groups; statuses " + statuses);
        System.out.printf("[HostileSweepTest] slowest request: %.1f ms of service CPU — %s%n", slowestCpu / 1e6,
                abbreviate(slowest));
        System.out.printf("[HostileSweepTest] most allocated: %.1f MiB — %s%n", mostAllocated / 1048576.0,
                abbreviate(heaviest));
        assertTrue(slowestCpu < CPU_NANOS_MAX, "slowest " + slowestCpu / 1e6 + " ms: " + slowest);
        assertTrue(mostAllocated < ALLOCATED_BYTES_MAX, "most allocated " + mostAllocated + ": " + heaviest);
        assertTrue(statuses.keySet().stream().anyMatch(s -> s.startsWith("2")), "the sweep reached the ledger too");

        given().auth().oauth2(admin).get("/v1/admin/audit").then().statusCode(200).body("drift.size()", equalTo(0));
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** Everything a request could have written for the org, as one comparable string. */
    private String state(String org) throws Exception {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT (SELECT count(*) FROM reservation WHERE org_id = ?)
                         || '/' || (SELECT count(*) FROM reservation WHERE org_id = ? AND status <> 'pending')
                         || '/' || (SELECT count(*) FROM spend_event WHERE org_id = ?)
                         || '/' || (SELECT count(*) FROM journal_entry WHERE org_id = ?)
                         || '/' || (SELECT count(*) FROM agent WHERE org_id = ?)
                         || '/' || (SELECT md5(coalesce(string_agg(coalesce(sdk_config::text, '-'), ',' ORDER BY id), ''))
                                      FROM agent WHERE org_id = ?)
                         || '/' || (SELECT md5(coalesce(string_agg(id::text || limit_value::text || coalesce(deleted_at::text, '-'),
                                      ',' ORDER BY id), '')) FROM budget WHERE org_id = ?)
                         || '/' || (SELECT count(*) FROM pool_member m JOIN budget b ON b.id = m.budget_id WHERE b.org_id = ?)
                         || '/' || (SELECT coalesce(sum(w.spent), 0) || ':' || coalesce(sum(w.reserved), 0) || ':' || count(*)
                                      FROM budget_window w JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ?)
                         || '/' || (SELECT count(*) || ':' || count(revoked_at) FROM api_key WHERE org_id = ?)
                         || '/' || (SELECT md5(config_extras::text) FROM org WHERE id = ?)
                     """)) {
            for (int i = 1; i <= 11; i++) {
                query.setString(i, org);
            }
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getString(1);
            }
        }
    }

    record Answer(int status, String contentType, String body) {
        String excerpt() {
            return body.length() > 300 ? body.substring(0, 300) + "…" : body;
        }
    }

    /**
     * Sent on this thread (Apache HttpClient, synchronous), so the service's cost is measured
     * without the client's; the body exactly as generated, chunked when the request says so.
     */
    private Answer send(HostileRequests.Request request) throws IOException {
        URI uri = URI.create(base.toString().replaceAll("/$", "") + request.path());
        HttpRequestBase http = switch (request.method()) {
            case "GET" -> new HttpGet(uri);
            case "DELETE" -> new HttpDelete(uri);
            case "PUT" -> new HttpPut(uri);
            default -> new HttpPost(uri);
        };
        if (request.credential() != null) {
            http.setHeader("Authorization", "Bearer " + request.credential().replaceAll("[\\r\\n\\u0000]", "?"));
        }
        if (request.contentType() != null) {
            http.setHeader("Content-Type", request.contentType());
        }
        if (request.contentEncoding() != null) {
            http.setHeader("Content-Encoding", request.contentEncoding());
        }
        if (request.body() != null && http instanceof HttpEntityEnclosingRequestBase withBody) {
            withBody.setEntity(request.chunked()
                    ? new InputStreamEntity(new ByteArrayInputStream(request.body()), -1)
                    : new ByteArrayEntity(request.body()));
        }
        try (CloseableHttpResponse response = client.execute(http)) {
            String body = response.getEntity() == null ? "" : EntityUtils.toString(response.getEntity(), StandardCharsets.UTF_8);
            var type = response.getFirstHeader("Content-Type");
            return new Answer(response.getStatusLine().getStatusCode(), type == null ? null : type.getValue(), body);
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "-" : text.length() > 400 ? text.substring(0, 400) + "…" : text;
    }

    static List<String> covered() {
        return HostileRequests.endpoints();
    }
}
