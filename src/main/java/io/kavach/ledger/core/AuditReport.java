package io.kavach.ledger.core;

import java.time.Instant;
import java.util.List;

/** The result of re-deriving every window's counters from the journal; {@code drift} must be empty. */
public record AuditReport(int windowsChecked, List<Drift> drift) {

    public AuditReport {
        drift = List.copyOf(drift);
    }

    /** One counter that disagrees with the sum of the records that should make it up. */
    public record Drift(BudgetKey key, Instant windowStart, String field, Money counter, Money journal) {
    }
}
