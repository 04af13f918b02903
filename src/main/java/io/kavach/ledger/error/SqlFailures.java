package io.kavach.ledger.error;

import java.sql.SQLException;

/**
 * What a failed SQL statement means for the caller, judged on its SQLState wherever it is in the
 * cause chain: the database is unreachable (every command would fail the same way), or it
 * refused one command's data (SQLState class 22: a value it cannot store, such as a NUL in text
 * or a number out of range — that command's own 4xx, never its batch-mates').
 */
public final class SqlFailures {

    private SqlFailures() {
    }

    /** Connection failures (SQLState class 08, admin shutdown) and an exhausted or unreachable pool. */
    public static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // A commit that loses the connection surfaces as a RollbackException whose SQL cause
            // is only a suppressed XAException (Narayana's one-phase commit through Agroal).
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed != t && isDatabaseUnavailable(suppressed)) {
                    return true;
                }
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P03"))) {
                    return true;
                }
                String message = sql.getMessage();
                if (state == null && message != null && message.contains("acquisition timeout")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** A data exception (SQLState class 22): the statement's input, not the database, is at fault. */
    public static boolean isDataException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
