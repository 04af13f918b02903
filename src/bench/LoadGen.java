import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Closed-loop HTTP load generator for the kavach-ledger benchmark, JDK only:
 * {@code java src/bench/LoadGen.java MODE --url … --key … [options]}.
 *
 * <p>MODE is {@code reserve} (POST /v1/reservations, reserve only), {@code ingest} (gzipped
 * {@code {"events":[…]}} batches with unique idempotency keys) or {@code read} (GET
 * /v1/agents/{agent}/budget). {@code --concurrency} requests are always in flight (one chain of
 * async HTTP/1.1 requests each). A warm-up phase prints its rate every 5 s, then a measured
 * phase prints one {@code RESULT} line: rate, p50/p99/max latency of requests completed in the
 * measured phase, status counts and the generator's own CPU. {@code --requests N} instead sends
 * exactly N requests (no warm-up) and prints the status counts: the exactness run. For ingest,
 * {@code --bodies N} builds and gzips N batches before the clock starts (more are built on the
 * fly), so the generator's own CPU during the run is mostly sending.
 */
public class LoadGen {

    /** Latency histogram: 10 µs buckets up to 10 s, the last bucket holds everything slower. */
    static final int BUCKET_MICROS = 10;
    static final int BUCKETS = 1_000_000;

    final Map<String, String> options = new HashMap<>();
    final String mode;
    final HttpClient http;
    /** One or more service instances (--url a,b,…): requests go round-robin across them. */
    final List<URI> targets;
    final AtomicLong nextTarget = new AtomicLong();
    final String key;
    final String agent;
    final int concurrency;

    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicBoolean measuring = new AtomicBoolean();
    final AtomicLongArray histogram = new AtomicLongArray(BUCKETS);
    final LongAdder completed = new LongAdder();
    final LongAdder measuredCompleted = new LongAdder();
    final LongAdder measuredUnits = new LongAdder(); // requests, or events for ingest
    final Map<Integer, LongAdder> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    final LongAdder failures = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final AtomicLong remaining = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong eventSequence = new AtomicLong();
    final String runTag = Long.toString(System.currentTimeMillis(), 36);
    final java.util.Queue<byte[]> preparedBodies = new java.util.concurrent.ConcurrentLinkedQueue<>();
    static final Pattern ACCEPTED = Pattern.compile("\"accepted\"\\s*:\\s*(\\d+)");
    volatile String lastError = "";

    LoadGen(String[] args) {
        mode = args.length > 0 ? args[0] : "";
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        agent = option("agent", "bot");
        key = option("key", null);
        concurrency = Integer.parseInt(option("concurrency", "64"));
        String url = option("url", "http://127.0.0.1:8131");
        String path = switch (mode) {
            case "reserve" -> "/v1/reservations";
            case "ingest" -> "/v1/ingest";
            case "read" -> "/v1/agents/" + agent + "/budget";
            default -> throw new IllegalArgumentException("mode must be reserve, ingest or read, not '" + mode + "'");
        };
        targets = java.util.Arrays.stream(url.split(",")).map(u -> URI.create(u.trim() + path)).toList();
        // HTTP/1.1, one connection per in-flight request; a small executor so the client's own
        // threads do not compete with the service for the two cores more than they must.
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newFixedThreadPool(Integer.parseInt(option("threads", "2")), r -> {
                    Thread t = new Thread(r, "loadgen");
                    t.setDaemon(true);
                    return t;
                }))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    String option(String name, String fallback) {
        String value = options.getOrDefault(name, fallback);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    public static void main(String[] args) throws Exception {
        new LoadGen(args).run();
    }

    void run() throws Exception {
        if (mode.equals("ingest") && options.containsKey("bodies")) {
            long started = System.nanoTime();
            int bodies = Integer.parseInt(options.get("bodies"));
            int events = Integer.parseInt(option("batch", "512"));
            long bytes = 0;
            for (int i = 0; i < bodies; i++) {
                byte[] body = ingestBody(events);
                bytes += body.length;
                preparedBodies.add(body);
            }
            System.out.printf("  prepared %d gzipped batches (%.1f MiB) in %.1f s%n", bodies, bytes / 1048576.0,
                    (System.nanoTime() - started) / 1e9);
        }
        if (options.containsKey("requests")) {
            remaining.set(Long.parseLong(options.get("requests")));
            measuring.set(true);
            long start = System.nanoTime();
            runChains();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("RESULT mode=%s requests=%d seconds=%.2f status=%s failures=%d%s%n", mode,
                    completed.sum(), seconds, statusSummary(), failures.sum(), errorSuffix());
            return;
        }
        int warmup = Integer.parseInt(option("warmup", "30"));
        int duration = Integer.parseInt(option("duration", "30"));
        Thread driver = new Thread(() -> {
            try {
                runChains();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        driver.start();
        long warmupEnd = System.nanoTime() + warmup * 1_000_000_000L;
        long last = completed.sum();
        long lastAt = System.nanoTime();
        while (System.nanoTime() < warmupEnd) {
            Thread.sleep(Math.min(5000, Math.max(1, (warmupEnd - System.nanoTime()) / 1_000_000)));
            long now = System.nanoTime();
            if (now - lastAt < 1_000_000_000L) {
                continue; // a short tail interval says nothing
            }
            long done = completed.sum();
            System.out.printf("  warm-up %s: %.0f req/s%n", mode, (done - last) / ((now - lastAt) / 1e9));
            last = done;
            lastAt = now;
        }
        System.out.println("MEASURING " + duration + " s");
        long cpuStart = cpuNanos();
        long start = System.nanoTime();
        measuring.set(true);
        Thread.sleep(duration * 1000L);
        measuring.set(false);
        long elapsed = System.nanoTime() - start;
        long cpu = cpuNanos() - cpuStart;
        stop.set(true);
        driver.join(60_000);
        double seconds = elapsed / 1e9;
        String unit = mode.equals("ingest") ? "events" : "req";
        System.out.printf("RESULT mode=%s concurrency=%d seconds=%.1f %s_per_s=%.0f req_per_s=%.0f p50_ms=%.2f p99_ms=%.2f "
                        + "max_ms=%.1f measured=%d status=%s failures=%d loadgen_cpu=%.0f%%%s%n",
                mode, concurrency, seconds, unit, measuredUnits.sum() / seconds, measuredCompleted.sum() / seconds,
                percentile(0.50), percentile(0.99), percentile(1.0), measuredCompleted.sum(), statusSummary(),
                failures.sum(), 100.0 * cpu / elapsed, errorSuffix());
        if (mode.equals("ingest")) {
            System.out.printf("INGESTED accepted_total=%d%n", accepted.sum());
        }
    }

    String errorSuffix() {
        return lastError.isEmpty() ? "" : " last_error=" + lastError.replaceAll("\\s+", " ");
    }

    /** Starts the chains and waits until all have stopped. */
    void runChains() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int i = 0; i < concurrency; i++) {
            next(done);
        }
        done.await();
    }

    void next(CountDownLatch done) {
        if (stop.get() || remaining.getAndDecrement() <= 0) {
            done.countDown();
            return;
        }
        int units = mode.equals("ingest") ? Integer.parseInt(option("batch", "512")) : 1;
        HttpRequest request = request(units);
        long start = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            long end = System.nanoTime();
            record(start, end, units, response, failure);
            next(done);
        });
    }

    HttpRequest request(int units) {
        URI target = targets.get((int) (nextTarget.getAndIncrement() % targets.size()));
        HttpRequest.Builder builder = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key);
        return switch (mode) {
            case "reserve" -> builder.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"agent_name\":\"" + agent + "\",\"amount\":"
                            + option("amount", "0.000001") + ",\"ttl_seconds\":3600,\"provider\":\"openai\","
                            + "\"model\":\"gpt-4o-mini\"}"))
                    .build();
            case "ingest" -> builder.header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(nextIngestBody(units))).build();
            default -> builder.GET().build();
        };
    }

    byte[] nextIngestBody(int events) {
        byte[] prepared = preparedBodies.poll();
        return prepared != null ? prepared : ingestBody(events);
    }

    /** A gzipped SDK exporter batch: realistic fields, one unique idempotency key per event. */
    byte[] ingestBody(int events) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder json = new StringBuilder(events * 260).append("{\"events\":[");
        String now = Instant.now().toString();
        String[] models = {"gpt-4o-mini", "gpt-4o", "claude-3-5-sonnet", "claude-3-5-haiku"};
        for (int i = 0; i < events; i++) {
            long sequence = eventSequence.incrementAndGet();
            int input = random.nextInt(200, 4000);
            int output = random.nextInt(20, 800);
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"agent_name\":\"").append(agent)
                    .append("\",\"idempotency_key\":\"bench-").append(runTag).append('-').append(sequence)
                    .append("\",\"cost\":0.000").append(random.nextInt(100, 999))
                    .append(",\"provider\":\"").append(i % 2 == 0 ? "openai" : "anthropic")
                    .append("\",\"model\":\"").append(models[i % models.length])
                    .append("\",\"input_tokens\":").append(input)
                    .append(",\"output_tokens\":").append(output)
                    .append(",\"duration_ms\":").append(random.nextInt(150, 9000))
                    .append(",\"run_id\":\"run-").append(sequence / 50)
                    .append("\",\"status\":\"success\",\"timestamp\":\"").append(now).append("\"}");
        }
        json.append("]}");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(events * 60);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    void record(long start, long end, int units, HttpResponse<String> response, Throwable failure) {
        completed.increment();
        if (failure != null) {
            failures.increment();
            lastError = failure.toString();
            return;
        }
        int status = response.statusCode();
        statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status >= 500 || status == 401 || status == 400 || status == 422) {
            lastError = status + " " + response.body().substring(0, Math.min(200, response.body().length()));
        }
        if (mode.equals("ingest") && (status / 100 == 2 || status == 429)) {
            Matcher m = ACCEPTED.matcher(response.body());
            if (m.find()) {
                accepted.add(Long.parseLong(m.group(1)));
            }
        }
        if (measuring.get()) {
            measuredCompleted.increment();
            if (status / 100 == 2) {
                measuredUnits.add(units);
            }
            long bucket = Math.min(BUCKETS - 1, (end - start) / 1000 / BUCKET_MICROS);
            histogram.incrementAndGet((int) bucket);
        }
    }

    double percentile(double p) {
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += histogram.get(i);
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(p * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += histogram.get(i);
            if (seen >= rank && histogram.get(i) > 0) {
                return (i + 1) * BUCKET_MICROS / 1000.0; // upper edge of the bucket
            }
        }
        return Double.NaN;
    }

    String statusSummary() {
        StringBuilder s = new StringBuilder();
        statuses.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> s.append(s.length() == 0 ? "" : ",").append(e.getKey()).append(':').append(e.getValue().sum()));
        return s.length() == 0 ? "none" : s.toString();
    }

    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
