package io.kavach.ledger.service;

import io.kavach.ledger.store.SqlFailures;

/**
 * What a failure of the database means to a caller, for the layers that must not read SQLStates
 * themselves (the API chooses its answer from these). The store judges ({@link SqlFailures}).
 */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    /** The database cannot be reached: every request would fail the same way now. */
    public static boolean unavailable(Throwable e) {
        return SqlFailures.isDatabaseUnavailable(e);
    }

    /** The database refused one of the request's values: the request's fault, not the service's. */
    public static boolean dataRefused(Throwable e) {
        return SqlFailures.isDataException(e);
    }

    /** Contention or a statement timeout: the same request may succeed shortly. */
    public static boolean contention(Throwable e) {
        return SqlFailures.isContention(e);
    }
}
