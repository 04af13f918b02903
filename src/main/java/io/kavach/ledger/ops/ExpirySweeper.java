package io.kavach.ledger.ops;

import io.kavach.ledger.service.AgentService;
import io.kavach.ledger.service.LedgerProcessor;
import io.kavach.ledger.store.ReservationStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Frees what time has ended, every second: expired holds, so an expired hold stops counting within
 * the 5 seconds the contract allows, and pauses whose end has come (an alert's kill lasts for the
 * rest of its window, ADR 0011). Every instance runs it; SKIP LOCKED makes them share the holds
 * instead of queueing on each other, and lifting a pause is idempotent. Each run is bounded
 * (batches × batch size).
 */
@ApplicationScoped
public class ExpirySweeper {

    static final int BATCH_SIZE = 500;
    static final int BATCHES_PER_RUN_MAX = 20;
    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

    @Inject
    LedgerProcessor processor;
    @Inject
    ReservationStore reservations;
    @Inject
    AgentService agents;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry metrics;

    /** Seconds the oldest still-pending hold is past its expiry, as of the last run (the lag gauge). */
    private volatile double lagSeconds;
    private Counter expiredHolds;

    void registerMetrics(@Observes StartupEvent event) {
        Gauge.builder("kavach.expiry.sweeper.lag", this, sweeper -> sweeper.lagSeconds).baseUnit("seconds")
                .description("How far past its expiry the oldest pending hold is, after the last sweep").register(metrics);
        expiredHolds = Counter.builder("kavach.expiry.expired").description("Holds freed by the expiry sweeper")
                .register(metrics);
    }

    @Scheduled(every = "${kavach.expiry.sweep-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            int expired = sweepNow();
            if (expired > 0 && expiredHolds != null) {
                expiredHolds.increment(expired);
            }
            agents.liftEndedPauses();
            measureLag();
        } catch (RuntimeException e) {
            // The database may be down; the next run tries again.
            LOG.warnf("expiry sweep failed: %s", e.toString());
        }
    }

    /** Updates the lag gauge: one read of the partial index on pending expiries. */
    void measureLag() {
        Instant now = clock.instant();
        lagSeconds = reservations.oldestPendingExpiry().filter(oldest -> oldest.isBefore(now))
                .map(oldest -> Duration.between(oldest, now).toMillis() / 1000.0).orElse(0.0);
    }

    /** Expires what is due now; returns how many holds were freed. */
    public int sweepNow() {
        int total = 0;
        for (int batch = 0; batch < BATCHES_PER_RUN_MAX; batch++) {
            int expired = processor.expire(BATCH_SIZE);
            total += expired;
            if (expired < BATCH_SIZE) {
                break;
            }
        }
        return total;
    }
}
