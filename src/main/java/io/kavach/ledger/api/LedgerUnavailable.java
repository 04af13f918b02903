package io.kavach.ledger.api;

import io.kavach.ledger.service.DatabaseFailures;
import io.kavach.ledger.service.LedgerRefusal;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * The one place that decides when an ingest the ledger could not record answers
 * {@code 429 ledger_unavailable} with {@code Retry-After} instead of a 5xx (ADR 0007). The
 * unchanged AgentKavach SDK drops a batch answered 5xx, but retries a 429 and then keeps it in
 * its disk buffer and replays it; deduplication by idempotency key makes the replay exact. Only
 * failures a later retry can cure qualify: the database unreachable, the ledger's queue full or
 * not answering in time ({@link LedgerRefusal}), contention that outlived the ledger's own retries. A bug stays a 500: answered 429 it would sit
 * at the head of the SDK's buffer and block every replay behind it.
 */
final class LedgerUnavailable {

    static final String REASON = "ledger_unavailable";
    /** While PostgreSQL is away: the SDK's three retries then span about 15 s before it buffers. */
    static final int DATABASE_RETRY_AFTER_SECONDS = 5;
    static final int BUSY_RETRY_AFTER_SECONDS = 1;
    /** Serialization failure, deadlock, lock timeout, statement timeout: the transaction rolled back. */
    private static final Logger LOG = Logger.getLogger(LedgerUnavailable.class);

    private LedgerUnavailable() {
    }

    /** The answer to an ingest whose ledger call failed with {@code failure}. */
    static Response ingestFailure(Throwable failure) {
        return of(failure).map(ProblemMapper::render).orElseGet(() -> ProblemMapper.failure(failure));
    }

    /** The 429 for an ingest that failed with {@code failure}, or empty when a retry cannot cure it. */
    static Optional<ProblemException> of(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        int retryAfter;
        String why;
        if (cause instanceof LedgerRefusal.OrgOverShare) {
            return Optional.empty(); // already a 429 (org_rate_limited), which the SDK retries and buffers
        } else if (cause instanceof LedgerRefusal refusal) {
            retryAfter = (int) Math.max(1, refusal.retryAfterSeconds());
            why = "ledger_busy";
        } else if (cause instanceof ProblemException problem) {
            if (problem.status() != 503) {
                return Optional.empty();
            }
            retryAfter = problem.headers().containsKey("Retry-After")
                    ? parseSeconds(problem.headers().get("Retry-After")) : BUSY_RETRY_AFTER_SECONDS;
            why = problem.reason();
        } else if (DatabaseFailures.unavailable(cause)) {
            retryAfter = DATABASE_RETRY_AFTER_SECONDS;
            why = "database_unavailable";
        } else if (DatabaseFailures.contention(cause)) {
            retryAfter = BUSY_RETRY_AFTER_SECONDS;
            why = "contention";
        } else {
            return Optional.empty();
        }
        LOG.warnf("ingest not recorded (%s), answered 429 %s: %s", why, REASON, cause.toString());
        return Optional.of(new ProblemException(429, REASON, "Ledger unavailable",
                "The ledger could not record this batch now (" + why.replace('_', ' ') + "). Send the same batch again after "
                        + retryAfter + " s: events already recorded are counted once, by their idempotency_key")
                .with("retry_after_seconds", retryAfter)
                .withHeader("Retry-After", Integer.toString(retryAfter)));
    }

    private static int parseSeconds(String value) {
        try {
            return Math.max(1, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return BUSY_RETRY_AFTER_SECONDS;
        }
    }
}
