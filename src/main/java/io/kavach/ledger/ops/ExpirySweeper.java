package io.kavach.ledger.ops;

import io.kavach.ledger.service.LedgerProcessor;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Frees expired holds every second, so an expired hold stops counting within the 5 seconds the
 * contract allows. Every instance runs it; SKIP LOCKED makes them share the work instead of
 * queueing on each other. Each run is bounded (batches × batch size).
 */
@ApplicationScoped
public class ExpirySweeper {

    static final int BATCH_SIZE = 500;
    static final int BATCHES_PER_RUN_MAX = 20;
    private static final Logger LOG = Logger.getLogger(ExpirySweeper.class);

    @Inject
    LedgerProcessor processor;

    @Scheduled(every = "${kavach.expiry.sweep-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        try {
            sweepNow();
        } catch (RuntimeException e) {
            // The database may be down; the next run tries again.
            LOG.warnf("expiry sweep failed: %s", e.toString());
        }
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
