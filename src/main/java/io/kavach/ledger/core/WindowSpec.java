package io.kavach.ledger.core;

import java.time.Instant;
import java.util.UUID;

/** A window a transaction needs: which budget, which period instance. */
public record WindowSpec(Budget budget, Window window) {

    public WindowRef ref() {
        return new WindowRef(budget.id(), window.start());
    }

    /** Identifies a window before its row id is known. */
    public record WindowRef(UUID budgetId, Instant start) {
    }
}
