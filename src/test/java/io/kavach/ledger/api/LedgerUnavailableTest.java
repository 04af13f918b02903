package io.kavach.ledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which failures of an ingest the unchanged SDK must keep and replay (429), and which stay errors. */
class LedgerUnavailableTest {

    @Test
    void theLedgersFullQueueIs429WithItsRetryAfter() {
        ProblemException busy = new ProblemException(503, "ledger_busy", "Service busy", "at capacity")
                .withHeader("Retry-After", "1");
        ProblemException answer = LedgerUnavailable.of(new CompletionException(busy)).orElseThrow();
        assertEquals(429, answer.status());
        assertEquals("ledger_unavailable", answer.reason());
        assertEquals("1", answer.headers().get("Retry-After"));
    }

    @Test
    void anUnreachableDatabaseIs429WithFiveSeconds() {
        for (String state : new String[] {"08001", "08006", "57P01", "57P03"}) {
            RuntimeException failure = new IllegalStateException("API key lookup failed",
                    new SQLException("connection refused", state));
            ProblemException answer = LedgerUnavailable.of(new CompletionException(failure)).orElseThrow();
            assertEquals(429, answer.status(), state);
            assertEquals("5", answer.headers().get("Retry-After"), state);
            assertEquals(5, answer.members().get("retry_after_seconds"), state);
        }
        RuntimeException exhaustedPool = new RuntimeException(new SQLException("Sorry, acquisition timeout!"));
        assertEquals(429, LedgerUnavailable.of(exhaustedPool).orElseThrow().status());
    }

    @Test
    void aCommitThatLostTheConnectionIs429() {
        // As Narayana reports it: the SQL failure is only a suppressed XAException of the rollback.
        Exception rollback = new Exception("ARJUNA016053: Could not commit transaction.");
        Exception xa = new Exception("Error trying to transactionCommit local transaction",
                new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        rollback.addSuppressed(xa);
        assertEquals(429, LedgerUnavailable.of(new RuntimeException(rollback)).orElseThrow().status());
    }

    @Test
    void contentionThatOutlivedTheLedgersRetriesIs429() {
        for (String state : new String[] {"40001", "40P01", "55P03", "57014"}) {
            assertEquals(429, LedgerUnavailable.of(new RuntimeException(new SQLException("x", state))).orElseThrow().status(), state);
        }
    }

    @Test
    void bugsAndClientErrorsAreNotRetryable() {
        assertTrue(LedgerUnavailable.of(new IllegalStateException("bug")).isEmpty());
        assertTrue(LedgerUnavailable.of(new RuntimeException(new SQLException("constraint", "23505"))).isEmpty());
        assertTrue(LedgerUnavailable.of(new ProblemException(422, "validation_failed", "x", "y")).isEmpty());
        assertEquals(500, LedgerUnavailable.ingestFailure(new IllegalStateException("bug")).getStatus());
    }
}
