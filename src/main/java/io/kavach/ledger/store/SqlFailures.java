package io.kavach.ledger.store;

import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a failed SQL statement means for the caller, judged on its SQLState wherever it is in the
 * cause chain. The one place outside a statement that reads SQLStates: callers above the store ask
 * through {@code service/DatabaseFailures}.
 */
public final class SqlFailures {

    /** PostgreSQL's unique_violation: a concurrent writer inserted the same key first. */
    private static final String UNIQUE_VIOLATION = "23505";
    /** Serialization failure, deadlock, lock timeout, statement timeout: trying again may succeed. */
    private static final Set<String> CONTENTION = Set.of("40001", "40P01", "55P03", "57014");

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

    /**
     * A data exception (SQLState class 22): the statement's input, not the database, is at fault
     * (a value it cannot store, such as a NUL in text or a number out of range).
     */
    public static boolean isDataException(Throwable e) {
        return state(e, s -> s.startsWith("22")).isPresent();
    }

    /** Contention that outlived the ledger's own retries, or a statement timeout. */
    public static boolean isContention(Throwable e) {
        return state(e, CONTENTION::contains).isPresent();
    }

    public static boolean isUniqueViolation(Throwable e) {
        return state(e, UNIQUE_VIOLATION::equals).isPresent();
    }

    /** Why a failed ledger batch may be retried as a whole (a metric label), or empty when it may not. */
    public static Optional<String> retryCause(Throwable e) {
        return state(e, s -> s.equals("40P01") || s.equals("40001") || s.equals("55P03")).map(s -> switch (s) {
            case "40P01" -> "deadlock";
            case "40001" -> "serialization_failure";
            default -> "lock_timeout";
        });
    }

    /** The first SQLState in the cause chain that {@code matches}. */
    private static Optional<String> state(Throwable e, Predicate<String> matches) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && matches.test(sql.getSQLState())) {
                return Optional.of(sql.getSQLState());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }
}
