package io.kavach.ledger.service;

import java.time.Duration;

/**
 * Why the ledger did not take a command, or did not answer it in time. Each is an expected
 * outcome of a shared, bounded service, not a bug; the API maps each to its answer in one place
 * (ProblemMapper). None says anything about whether a budget had room.
 */
public abstract sealed class LedgerRefusal extends RuntimeException {

    private LedgerRefusal(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** Seconds a caller should wait before trying again. */
    public abstract long retryAfterSeconds();

    /** The queue holds as many events as it may, from all orgs together: nothing more is taken now. */
    public static final class QueueFull extends LedgerRefusal {
        private final int capacityEvents;

        QueueFull(int capacityEvents) {
            super("the ledger queue is full (" + capacityEvents + " events)", null);
            this.capacityEvents = capacityEvents;
        }

        public int capacityEvents() {
            return capacityEvents;
        }

        @Override
        public long retryAfterSeconds() {
            return 1;
        }
    }

    /** The caller's org already has its share of the queue waiting; other orgs are still served. */
    public static final class OrgOverShare extends LedgerRefusal {
        private final int shareEvents;

        OrgOverShare(int shareEvents) {
            super("the org has its share of the ledger queue waiting (" + shareEvents + " events)", null);
            this.shareEvents = shareEvents;
        }

        public int shareEvents() {
            return shareEvents;
        }

        @Override
        public long retryAfterSeconds() {
            return 1;
        }
    }

    /**
     * No answer within the bound. {@code applied} is unknown when the command had already left the
     * queue (its transaction may still commit; a retry with the same idempotency key is exact);
     * a command still queued is withdrawn and never applied.
     */
    public static final class TimedOut extends LedgerRefusal {
        private final boolean withdrawn;

        TimedOut(Duration after, boolean withdrawn) {
            super("no ledger answer within " + after.toMillis() + " ms"
                    + (withdrawn ? "; the command was withdrawn unapplied" : "; the command was being applied"), null);
            this.withdrawn = withdrawn;
        }

        /** True when the command was taken off the queue before it was applied. */
        public boolean withdrawn() {
            return withdrawn;
        }

        @Override
        public long retryAfterSeconds() {
            return 1;
        }
    }

    /** The lane applying the command's batch failed with something other than the command's own fault (an Error). */
    public static final class LaneFailed extends LedgerRefusal {
        LaneFailed(Throwable cause) {
            super("the ledger lane failed: " + cause, cause);
        }

        @Override
        public long retryAfterSeconds() {
            return 5;
        }
    }
}
