package io.kavach.ledger.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The decision logic of the unchanged AgentKavach Python SDK 2.1.0 against its backend, written
 * after its code so tests can say "the SDK would stop / retry / buffer / drop" about real answers
 * of the running service. One instance is one {@code AgentKavach(...)} client with its own
 * exporter, as the SDK builds them (client.py {@code __init__} → sender.py
 * {@code create_tracer_provider}). It follows, function by function:
 * <ul>
 * <li>sender.py {@code AgentKavachExporter.export}: send the batch; after a success, replay the buffer.
 * <li>sender.py {@code _send_with_retry}: 200/202 success; 429 with {@code reason} in
 *     (tier_agent_limit, daily_limit, org_budget_exceeded) is permanent ({@code _handle_permanent_reject},
 *     nothing buffered); any other 429 is retried up to 3 times after {@code _parse_retry_after}, then
 *     the events are buffered; 401/403 drop the batch; any other status drops it; a timeout is
 *     retried after 1, 2, 4 s and then buffered; any other transport error buffers at once.
 * <li>sender.py {@code _parse_retry_after}: {@code float(Retry-After)} clamped to 1–10 s, 1 s if absent or unparsable.
 * <li>sender.py {@code _handle_permanent_reject}: warns once per (reason, agent) for
 *     {@code rejected_agents} (else the batch's agents), then calls {@code on_backend_reject}.
 * <li>sender.py {@code _replay_buffer}: chunks of 512; a 2xx counts, a 429 or anything else stops the replay;
 *     the replayed events are purged from the front of the buffer (buffer.py {@code purge}).
 * <li>client.py {@code _handle_backend_reject}: the first permanent reject pauses the client, keeping its reason.
 * <li>client.py {@code _safe_call}: a paused client raises {@code IngestRejectedError} before the LLM call,
 *     running {@code on_kill(reason)} once ({@code _backend_kill_fired}).
 * </ul>
 * The waits are recorded, not slept: tests assert what the SDK does, never how long it takes.
 */
public final class SdkExporterModel {

    /** sender.py _MAX_RETRIES, _DEFAULT_RETRY_AFTER, _MAX_RETRY_AFTER, _MAX_EXPORT_BATCH_SIZE, _INGEST_TIMEOUT_SECONDS. */
    static final int MAX_RETRIES = 3;
    static final double DEFAULT_RETRY_AFTER = 1.0;
    static final double MAX_RETRY_AFTER = 10.0;
    public static final int MAX_EXPORT_BATCH_SIZE = 512;
    static final Duration INGEST_TIMEOUT = Duration.ofSeconds(10);
    /** The reasons sender.py treats as "stop sending — retrying won't help". */
    public static final Set<String> PERMANENT_REASONS = Set.of("tier_agent_limit", "daily_limit", "org_budget_exceeded");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the exporter did with one answer. */
    public enum Decision { SUCCESS, STOP, RETRY, BUFFER, DROP_AUTH, DROP }

    /** One request the exporter sent and what it made of the answer. */
    public record Exchange(boolean replay, int status, String reason, String body, Decision decision) {
    }

    /** The outcome of one call through the client (client.py _safe_call). */
    public enum Call { LLM_CALLED, INGEST_REJECTED }

    private final URI ingest;
    private final String apiKey;
    private final String agentName;
    private final HttpClient http;
    private final List<String> buffer = Collections.synchronizedList(new ArrayList<>());
    private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> waits = new ArrayList<>();
    private final Set<String> warned = new LinkedHashSet<>();
    private boolean backendPaused;
    private String backendPausedReason;
    private boolean backendKillFired;
    private final List<String> onKillReasons = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();

    /**
     * A client for {@code agentName} reporting to {@code baseUrl} (AGENTKAVACH_BACKEND_URL)
     * with {@code apiKey}.
     */
    public SdkExporterModel(URI baseUrl, String apiKey, String agentName) {
        String base = baseUrl.toString();
        this.ingest = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/ingest");
        this.apiKey = apiKey;
        this.agentName = agentName;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    public String agentName() {
        return agentName;
    }

    /**
     * client.py _safe_call: the LLM call happens (and its event, JSON as sender._span_to_event
     * builds it, waits for the next export) unless the backend paused this client.
     */
    public Call call(String eventJson) {
        if (backendPaused) {
            if (!backendKillFired) {
                backendKillFired = true;
                onKillReasons.add(backendPausedReason == null ? "backend_rejected" : backendPausedReason);
            }
            return Call.INGEST_REJECTED;
        }
        pending.add(eventJson);
        return Call.LLM_CALLED;
    }

    /** The BatchSpanProcessor's flush: exports what the calls produced, up to 512 events per batch. */
    public void flush() throws InterruptedException {
        while (!pending.isEmpty()) {
            List<String> batch = new ArrayList<>(pending.subList(0, Math.min(MAX_EXPORT_BATCH_SIZE, pending.size())));
            pending.subList(0, batch.size()).clear();
            export(batch);
        }
    }

    /** sender.py export: send; after a success, replay the disk buffer. */
    public Decision export(List<String> events) throws InterruptedException {
        Decision result = sendWithRetry(events);
        if (result == Decision.SUCCESS) {
            replayBuffer();
        }
        return result;
    }

    private Decision sendWithRetry(List<String> events) throws InterruptedException {
        for (int attempt = 0; attempt <= MAX_RETRIES; attempt++) {
            HttpResponse<String> response;
            try {
                response = post(events);
            } catch (HttpTimeoutException e) {
                if (attempt < MAX_RETRIES) {
                    waits.add(DEFAULT_RETRY_AFTER * (1 << attempt));
                    record(false, -1, null, e.toString(), Decision.RETRY);
                    continue;
                }
                buffer.addAll(events);
                record(false, -1, null, e.toString(), Decision.BUFFER);
                return Decision.BUFFER;
            } catch (IOException e) {
                buffer.addAll(events);
                record(false, -1, null, e.toString(), Decision.BUFFER);
                return Decision.BUFFER;
            }
            int status = response.statusCode();
            String reason = reasonOf(response.body());
            if (status == 200 || status == 202) {
                record(false, status, reason, response.body(), Decision.SUCCESS);
                return Decision.SUCCESS;
            }
            if (status == 429) {
                if (reason != null && PERMANENT_REASONS.contains(reason)) {
                    record(false, status, reason, response.body(), Decision.STOP);
                    handlePermanentReject(reason, response.body(), events);
                    return Decision.STOP;
                }
                if (attempt < MAX_RETRIES) {
                    waits.add(parseRetryAfter(response.headers().firstValue("retry-after").orElse("")));
                    record(false, status, reason, response.body(), Decision.RETRY);
                    continue;
                }
                buffer.addAll(events);
                record(false, status, reason, response.body(), Decision.BUFFER);
                return Decision.BUFFER;
            }
            if (status == 401 || status == 403) {
                record(false, status, reason, response.body(), Decision.DROP_AUTH);
                return Decision.DROP_AUTH;
            }
            record(false, status, reason, response.body(), Decision.DROP);
            return Decision.DROP;
        }
        buffer.addAll(events);
        return Decision.BUFFER;
    }

    /** sender.py _replay_buffer. */
    private void replayBuffer() throws InterruptedException {
        if (buffer.isEmpty()) {
            return;
        }
        List<String> events = new ArrayList<>(buffer);
        int replayed = 0;
        for (int i = 0; i < events.size(); i += MAX_EXPORT_BATCH_SIZE) {
            List<String> chunk = events.subList(i, Math.min(events.size(), i + MAX_EXPORT_BATCH_SIZE));
            HttpResponse<String> response;
            try {
                response = post(chunk);
            } catch (IOException e) {
                record(true, -1, null, e.toString(), Decision.BUFFER);
                break;
            }
            String reason = reasonOf(response.body());
            if (response.statusCode() == 200 || response.statusCode() == 202) {
                replayed += chunk.size();
                record(true, response.statusCode(), reason, response.body(), Decision.SUCCESS);
            } else {
                // 429 or anything else: "pausing", the rest stays buffered.
                record(true, response.statusCode(), reason, response.body(), Decision.BUFFER);
                break;
            }
        }
        buffer.subList(0, replayed).clear();
    }

    /** sender.py _handle_permanent_reject, then client.py _handle_backend_reject (on_backend_reject). */
    private void handlePermanentReject(String reason, String body, List<String> events) {
        List<String> rejectedAgents = new ArrayList<>();
        JsonNode listed = parse(body).path("rejected_agents");
        if (listed.isArray()) {
            listed.forEach(agent -> rejectedAgents.add(agent.asText()));
        }
        if (rejectedAgents.isEmpty()) {
            Set<String> agents = new TreeSet<>();
            events.forEach(event -> agents.add(parse(event).path("agent_name").asText("unknown")));
            rejectedAgents.addAll(agents);
        }
        rejectedAgents.forEach(agent -> warned.add(reason + "/" + agent));
        if (!backendPaused) {
            backendPaused = true;
            backendPausedReason = reason;
        }
    }

    /** sender.py _parse_retry_after. */
    static double parseRetryAfter(String raw) {
        try {
            double wait = Double.parseDouble(raw.trim());
            if (Double.isNaN(wait)) {
                return DEFAULT_RETRY_AFTER;
            }
            return Math.min(Math.max(wait, DEFAULT_RETRY_AFTER), MAX_RETRY_AFTER);
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }

    /** sender.py _post: gzip.compress(json.dumps({"events": events})) with the exporter's headers. */
    private HttpResponse<String> post(List<String> events) throws IOException, InterruptedException {
        byte[] body = Fixtures.gzip("{\"events\": [" + String.join(", ", events) + "]}");
        HttpRequest request = HttpRequest.newBuilder(ingest)
                .timeout(INGEST_TIMEOUT)
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header("User-Agent", "agentkavach-sdk/0.1.0")
                .header("Content-Encoding", "gzip")
                .header("Accept", "*/*")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void record(boolean replay, int status, String reason, String body, Decision decision) {
        exchanges.add(new Exchange(replay, status, reason, body, decision));
    }

    /** sender.py _safe_parse_json(resp).get("reason"): null unless the body is a JSON object. */
    private static String reasonOf(String body) {
        JsonNode reason = parse(body).get("reason");
        return reason == null || reason.isNull() ? null : reason.asText();
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    // ---- what a test may look at ----------------------------------------------------------------

    /** Whether the client is paused by the backend (client.py _backend_paused). */
    public boolean paused() {
        return backendPaused;
    }

    /** The reason kept with the pause (IngestRejectedError.reason). */
    public String pausedReason() {
        return backendPausedReason;
    }

    /** Every reason on_kill was called with, in order. */
    public List<String> onKillReasons() {
        return List.copyOf(onKillReasons);
    }

    /** The (reason/agent) warnings the exporter logged for permanent rejects. */
    public Set<String> warnings() {
        return Set.copyOf(warned);
    }

    public List<Exchange> exchanges() {
        synchronized (exchanges) {
            return List.copyOf(exchanges);
        }
    }

    /** The waits (seconds) the exporter would have slept before retries. */
    public List<Double> waits() {
        return List.copyOf(waits);
    }

    /** Events in the disk buffer, waiting for the replay after the next successful export. */
    public int buffered() {
        return buffer.size();
    }
}
