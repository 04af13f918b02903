package io.kavach.ledger.alert;

import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.core.AlertRule;
import io.kavach.ledger.core.AlertEvent;
import io.kavach.ledger.core.AlertEvent.Attempt;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.service.AgentService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Delivers fired alerts from the outbox, never on the spend path: every run claims due alerts
 * (FOR UPDATE SKIP LOCKED, so instances share the work), carries out a rule's kill action once,
 * sends each alert on a bounded pool with at most {@code per-target-concurrency} in flight per
 * target host, and records every attempt. A failure is retried with exponential backoff until
 * {@code retry-for} after firing, then the alert is {@code dead}.
 Just over 300 lines: claim,
 * per-target throttling and retry policy are one loop, read top to bottom.
 */
@Startup
@ApplicationScoped
public class AlertDeliveryWorker {

    private static final Logger LOG = Logger.getLogger(AlertDeliveryWorker.class);
    static final int ERROR_LENGTH_MAX = 500;

    @Inject
    AlertStore store;
    @Inject
    AlertsConfig config;
    @Inject
    TargetGuard guard;
    @Inject
    AgentService agents;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry metrics;
    @Inject
    EmailSender email;

    private HttpClient http;
    private ExecutorService pool;
    private final Map<String, Semaphore> perTarget = new ConcurrentHashMap<>();
    private volatile double outboxAgeSeconds;

    /**
     * Made when the bean is made, so the scheduler, which may run before the application's
     * start-up event is observed, never finds the pool missing after it has claimed alerts (a
     * claimed alert would then wait out its lease). {@link Startup} makes the bean at start-up,
     * so the outbox gauge is there from the first scrape.
     */
    @PostConstruct
    void start() {
        // One client for every delivery: bounded connect time, and a redirect is an answer, never followed
        // (it could point at an address the guard refuses).
        http = HttpClient.newBuilder().connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        pool = Executors.newFixedThreadPool(config.workers(), runnable -> {
            Thread thread = new Thread(runnable, "alert-delivery");
            thread.setDaemon(true);
            return thread;
        });
        Gauge.builder("kavach.alerts.outbox.age", this, worker -> worker.outboxAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest alert not yet delivered or dead").register(metrics);
    }

    @PreDestroy
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Scheduled(every = "${kavach.alerts.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRun() {
        try {
            deliverDue();
        } catch (RuntimeException e) {
            LOG.warnf("alert delivery run failed: %s", e.toString());
        }
    }

    /** One run: claims due alerts and delivers them; returns how many were claimed. */
    public int deliverDue() {
        Instant now = now();
        List<AlertEvent> claimed = QuarkusTransaction.requiringNew()
                .call(() -> store.claimDue(now, now.plus(config.lease()), config.claimBatch()));
        List<Future<?>> running = new ArrayList<>();
        for (AlertEvent event : claimed) {
            running.add(pool.submit(() -> deliverGuarded(event)));
        }
        for (Future<?> future : running) {
            try {
                future.get(config.requestTimeout().toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debugf("alert delivery did not finish in this run: %s", e.toString());
            }
        }
        Instant oldest = store.oldestPending();
        outboxAgeSeconds = oldest == null ? 0 : Math.max(0, Duration.between(oldest, now()).toMillis() / 1000.0);
        return claimed.size();
    }

    private void deliverGuarded(AlertEvent event) {
        try {
            deliver(event);
        } catch (RuntimeException e) {
            // The lease runs out and the alert is claimed again: at-least-once.
            LOG.warnf("alert %s not delivered in this run: %s", event.id(), e.toString());
        }
    }

    private void deliver(AlertEvent event) {
        if (event.kills() && event.actionDoneAt() == null) {
            kill(event);
            store.markActionDone(event.id(), now());
        }
        if (event.channel() == AlertRule.Channel.KILL) {
            record(event, now(), "delivered", null, 0, null);
            return;
        }
        String host = hostOf(event);
        Semaphore slots = perTarget.computeIfAbsent(host, h -> new Semaphore(config.perTargetConcurrency()));
        if (!slots.tryAcquire()) {
            store.unclaim(event.id(), now().plusSeconds(1));
            return;
        }
        try {
            send(event);
        } finally {
            slots.release();
        }
    }

    private void send(AlertEvent event) {
        Instant started = now();
        long startNanos = System.nanoTime();
        try {
            String url;
            String body;
            HttpRequest.Builder request = HttpRequest.newBuilder().timeout(config.requestTimeout())
                    .header("Content-Type", "application/json").header("User-Agent", "kavach-ledger-alerts");
            switch (event.channel()) {
                case WEBHOOK -> {
                    url = event.target();
                    body = AlertPayloads.webhook(event);
                    String id = AlertPayloads.webhookId(event);
                    long timestamp = started.getEpochSecond();
                    request.header("webhook-id", id).header("webhook-timestamp", Long.toString(timestamp));
                    if (event.secret() != null) {
                        request.header("webhook-signature", WebhookSignature.sign(event.secret(), id, timestamp, body));
                    }
                }
                case SLACK -> {
                    url = event.target();
                    body = AlertPayloads.slack(event);
                }
                case PAGERDUTY -> {
                    url = config.pagerdutyUrl();
                    body = AlertPayloads.pagerduty(event);
                }
                case EMAIL -> {
                    // SMTP through the operator's kavach.alerts.smtp.* settings; the target is only an address.
                    email.send(event.target(), AlertPayloads.emailSubject(event), AlertPayloads.emailText(event));
                    record(event, started, "delivered", null, elapsedMillis(startNanos), null);
                    return;
                }
                default -> {
                    record(event, started, "failed", null, elapsedMillis(startNanos),
                            "channel " + event.channel().wireName() + " delivers nothing");
                    return;
                }
            }
            // Checked again at delivery: the name may now resolve to an address refused at creation.
            var refusal = guard.refusal(url);
            if (refusal.isPresent()) {
                record(event, started, "refused", null, elapsedMillis(startNanos), "target " + refusal.get());
                return;
            }
            HttpResponse<Void> response = http.send(request.uri(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                record(event, started, "delivered", status, elapsedMillis(startNanos), null);
            } else {
                record(event, started, "failed", status, elapsedMillis(startNanos), "receiver answered " + status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            record(event, started, "failed", null, elapsedMillis(startNanos), "interrupted");
        } catch (Exception e) {
            record(event, started, "failed", null, elapsedMillis(startNanos), e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    /** Writes the attempt and what follows: delivered, a retry after the backoff, or dead. */
    private void record(AlertEvent event, Instant at, String outcome, Integer httpStatus, long latencyMs, String error) {
        int attempt = event.attempts() + 1;
        Attempt row = new Attempt(event.id(), attempt, at, outcome, httpStatus, latencyMs, truncate(error));
        Instant now = now();
        String status;
        Instant next = now;
        Instant resolved = null;
        if ("delivered".equals(outcome)) {
            status = "delivered";
            resolved = now;
        } else {
            next = now.plus(backoff(attempt));
            if (next.isAfter(event.firedAt().plus(config.retryFor()))) {
                status = "dead";
                resolved = now;
            } else {
                status = "pending";
            }
        }
        store.recordAttempt(row, status, next, resolved);
        metrics.counter("kavach.alerts.deliveries", "outcome", outcome, "channel", event.channel().wireName()).increment();
        if ("dead".equals(status)) {
            metrics.counter("kavach.alerts.dead").increment();
            LOG.warnf("alert %s is dead after %d attempts: %s", event.id(), attempt, error);
        }
    }

    /** base × 2^(attempt-1), at most backoff-max. */
    Duration backoff(int attempt) {
        Duration delay = config.backoffBase();
        for (int i = 1; i < attempt && delay.compareTo(config.backoffMax()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.backoffMax()) > 0 ? config.backoffMax() : delay;
    }

    /** Pauses the agents the budget covers, through the same pause as POST /v1/agents/{name}/pause. */
    private void kill(AlertEvent event) {
        BudgetKey key = AlertInput.budgetKey(event.budgetKey()).orElse(null);
        if (key == null || key.scope() == Scope.ORG) {
            return;
        }
        List<String> names = key.scope() == Scope.AGENT ? List.of(key.name())
                : QuarkusTransaction.requiringNew().call(() -> definitions.livePool(event.orgId(), key.name())
                .map(BudgetDefinitionStore.Definition::members).orElse(List.of()));
        String reason = "alert: " + event.budgetKey() + " reached "
                + event.threshold().movePointRight(2).stripTrailingZeros().toPlainString() + "% (rule " + event.ruleId() + ")";
        // The stop lasts for the rest of the window that fired it, as an exhausted budget's does
        // (ADR 0011); a window already over stops nobody. A total budget's window never ends.
        if (event.windowEnd() != null && !event.windowEnd().isAfter(now())) {
            return;
        }
        for (String agent : names) {
            agents.pause(event.orgId(), agent, reason, event.windowEnd());
        }
        metrics.counter("kavach.alerts.kills").increment(names.size());
    }

    private static String hostOf(AlertEvent event) {
        return switch (event.channel()) {
            case WEBHOOK, SLACK -> {
                try {
                    String host = URI.create(event.target()).getHost();
                    yield host == null ? event.target() : host;
                } catch (IllegalArgumentException e) {
                    yield event.target();
                }
            }
            default -> event.channel().wireName();
        };
    }

    private static String truncate(String error) {
        return error == null || error.length() <= ERROR_LENGTH_MAX ? error : error.substring(0, ERROR_LENGTH_MAX);
    }

    private static long elapsedMillis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
