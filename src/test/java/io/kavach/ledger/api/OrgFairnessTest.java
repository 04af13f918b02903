package io.kavach.ledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two orgs on the shared ledger, real threads and real HTTP: org A floods it with maximal ingests
 * and reservations from many connections at once; org B reserves, one request after another,
 * throughout. A is held to its share of the queue (429 {@code org_rate_limited}); B is never
 * refused by the queue (no 429, no 503).
 */
@QuarkusTest
class OrgFairnessTest {

    private static final int FLOOD_INGESTERS = 12;
    private static final int FLOOD_RESERVERS = 8;
    private static final int INGESTS_EACH = 4;
    private static final int BYSTANDER_RESERVATIONS = 60;

    @TestHTTPResource("/")
    URL base;

    @Test
    void aFloodingOrgIsHeldToItsShareAndAnotherOrgIsNeverRefused() throws Exception {
        String orgA = Tokens.newOrg();
        String orgB = Tokens.newOrg();
        String keyA = Fixtures.apiKey(orgA);
        String keyB = Fixtures.apiKey(orgB);
        Fixtures.orgBudget(orgB, "daily", "1000000");
        String maximalIngest = ingest(EventReader.EVENTS_MAX);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        Map<String, AtomicInteger> flood = new ConcurrentHashMap<>();
        List<String> bystander = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean flooding = new AtomicBoolean(true);
        CountDownLatch floodStarted = new CountDownLatch(FLOOD_INGESTERS);
        ExecutorService threads = Executors.newFixedThreadPool(FLOOD_INGESTERS + FLOOD_RESERVERS + 1);
        try {
            List<Future<?>> flooders = new ArrayList<>();
            for (int t = 0; t < FLOOD_INGESTERS; t++) {
                flooders.add(threads.submit(() -> {
                    floodStarted.countDown();
                    for (int i = 0; i < INGESTS_EACH; i++) {
                        HttpResponse<String> answer = post(http, "/v1/ingest", keyA, maximalIngest);
                        flood.computeIfAbsent("ingest " + outcome(answer), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (int t = 0; t < FLOOD_RESERVERS; t++) {
                flooders.add(threads.submit(() -> {
                    while (flooding.get()) {
                        HttpResponse<String> answer = post(http, "/v1/reservations", keyA,
                                "{\"agent_name\":\"flooder\",\"amount\":0.000000001}");
                        flood.computeIfAbsent("reserve " + outcome(answer), k -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            Future<?> victim = threads.submit(() -> {
                floodStarted.await(60, TimeUnit.SECONDS);
                for (int i = 0; i < BYSTANDER_RESERVATIONS; i++) {
                    HttpResponse<String> answer = post(http, "/v1/reservations", keyB,
                            "{\"agent_name\":\"bystander\",\"amount\":0.01}");
                    bystander.add(outcome(answer));
                }
                return null;
            });
            victim.get(10, TimeUnit.MINUTES);
            for (int i = 0; i < FLOOD_INGESTERS; i++) {
                flooders.get(i).get(10, TimeUnit.MINUTES);
            }
            flooding.set(false);
            for (Future<?> flooder : flooders) {
                flooder.get(10, TimeUnit.MINUTES);
            }
        } finally {
            flooding.set(false);
            threads.shutdownNow();
        }
        Map<String, Integer> counts = new java.util.TreeMap<>();
        flood.forEach((k, v) -> counts.put(k, v.get()));
        Map<String, Long> victimCounts = new java.util.TreeMap<>();
        bystander.forEach(o -> victimCounts.merge(o, 1L, Long::sum));
        System.out.println("[OrgFairnessTest] flooding org A: " + counts);
        System.out.println("[OrgFairnessTest] bystander org B: " + victimCounts);

        assertEquals(Map.of("201", (long) BYSTANDER_RESERVATIONS), victimCounts, "every reservation of B was admitted");
        assertTrue(counts.getOrDefault("ingest 429 org_rate_limited", 0) > 0,
                "A, sending " + FLOOD_INGESTERS * 5_000 + " events at once, was held to its share: " + counts);
        assertTrue(counts.keySet().stream().allMatch(k -> k.endsWith(" 202") || k.endsWith(" 201")
                || k.endsWith(" 429 org_rate_limited")), "A got nothing but answers or its own limit: " + counts);
    }

    private HttpResponse<String> post(HttpClient http, String path, String key, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The status, with the problem's reason when there is one. */
    private static String outcome(HttpResponse<String> answer) {
        int status = answer.statusCode();
        if (status < 400) {
            return Integer.toString(status);
        }
        java.util.regex.Matcher reason = java.util.regex.Pattern.compile("\"reason\":\"([a-z_]+)\"").matcher(answer.body());
        return status + (reason.find() ? " " + reason.group(1) : "");
    }

    private static String ingest(int events) {
        StringJoiner body = new StringJoiner(",", "{\"events\":[", "]}");
        for (int i = 0; i < events; i++) {
            body.add("{\"agent_name\":\"flooder-" + (i % 10) + "\",\"cost\":0.000001,\"model\":\"gpt-4o\"}");
        }
        return body.toString();
    }
}
