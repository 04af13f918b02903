package io.kavach.ledger.core;

/**
 * A broken ledger invariant: always a bug, never a client error. The transaction rolls back and
 * the caller gets a 500 without internals; the log has the details.
 */
public final class LedgerInvariantViolation extends RuntimeException {

    public LedgerInvariantViolation(String message) {
        super(message);
    }

    public static void check(boolean holds, String format, Object... args) {
        if (!holds) {
            throw new LedgerInvariantViolation(String.format(format, args));
        }
    }
}
