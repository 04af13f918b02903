package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The pause is read inside each spend transaction: with threads reserving and ingesting for an
 * agent while an admin pauses it, no request sent after the pause's 200 is admitted. Order is
 * taken from one shared sequence (a request's number is drawn before it is sent, the pause's
 * after its 200 arrived), never from timing.
 */
@QuarkusTest
class AgentPauseConcurrencyTest {

    private static final int THREADS = 8;
    private static final int REQUESTS_AFTER_PAUSE_MIN = 40;

    @TestHTTPResource("/")
    URI base;

    private final String org = Tokens.newOrg();
    private final String key = Fixtures.apiKey(org);
    private final HttpClient http = HttpClient.newHttpClient();

    private record Sent(long sequence, String kind, int status, String body) {
    }

    @Test
    void noReservationOrIngestSentAfterThePausesAnswerIsAdmitted() throws Exception {
        Fixtures.orgBudget(org, "daily", "1000000");
        AtomicLong sequence = new AtomicLong();
        AtomicLong pausedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong afterPause = new AtomicLong();
        CountDownLatch running = new CountDownLatch(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<List<Sent>>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            workers.add(pool.submit(() -> {
                List<Sent> sent = new ArrayList<>();
                running.countDown();
                for (int i = 0; !stop.get(); i++) {
                    boolean ingest = (thread + i) % 2 == 0;
                    String body = ingest
                            ? "{\"events\":[{\"agent_name\":\"runaway\",\"cost\":0.001,\"idempotency_key\":\"e-" + thread + "-" + i + "\"}]}"
                            : "{\"agent_name\":\"runaway\",\"amount\":0.001,\"ttl_seconds\":60}";
                    long number = sequence.incrementAndGet();
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(ingest ? "/v1/ingest" : "/v1/reservations"))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    sent.add(new Sent(number, ingest ? "ingest" : "reserve", response.statusCode(), response.body()));
                    if (number > pausedAt.get() && afterPause.incrementAndGet() >= REQUESTS_AFTER_PAUSE_MIN) {
                        stop.set(true);
                    }
                }
                return sent;
            }));
        }
        assertTrue(running.await(30, TimeUnit.SECONDS));
        // Let the workers get going, then pause while they run.
        while (sequence.get() < 40) {
            Thread.onSpinWait();
        }
        given().auth().oauth2(Tokens.admin(org)).contentType("application/json").body("{\"reason\":\"race\"}")
                .post("/v1/agents/runaway/pause").then().statusCode(200);
        pausedAt.set(sequence.incrementAndGet());

        List<Sent> all = new ArrayList<>();
        for (Future<List<Sent>> worker : workers) {
            all.addAll(worker.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();

        int checked = 0;
        for (Sent sent : all) {
            if (sent.sequence() < pausedAt.get()) {
                assertTrue(sent.status() == 201 || sent.status() == 202 || isPaused(sent), sent.toString());
                continue;
            }
            checked++;
            assertTrue(isPaused(sent), "sent after the pause was acknowledged, yet " + sent);
        }
        assertTrue(checked >= REQUESTS_AFTER_PAUSE_MIN, "requests sent after the pause: " + checked);
        // Every ingest was booked, paused or not: the ledger reflects what was spent.
        long ingests = all.stream().filter(s -> s.kind().equals("ingest")).count();
        assertEquals(ingests, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        given().auth().oauth2(Tokens.admin(org)).get("/v1/admin/audit").then().statusCode(200)
                .body("drift", hasSize(0));
    }

    private static boolean isPaused(Sent sent) {
        return sent.status() == 429 && sent.body().contains("\"reason\":\"agent_paused\"");
    }
}
