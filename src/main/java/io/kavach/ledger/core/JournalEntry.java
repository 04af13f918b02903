package io.kavach.ledger.core;

import java.util.List;
import java.util.UUID;

/**
 * One append-only journal row: what a reservation step did to the counters of its windows, all of
 * one {@code unit} (ADR 0015: a hold in several units is one entry per unit and amount).
 */
public record JournalEntry(String orgId, Kind kind, UUID reservationId, List<Long> windowIds, Money reservedDelta,
                           Money spentDelta, BudgetType unit) {

    /** An entry of cost windows. */
    public JournalEntry(String orgId, Kind kind, UUID reservationId, List<Long> windowIds, Money reservedDelta,
                        Money spentDelta) {
        this(orgId, kind, reservationId, windowIds, reservedDelta, spentDelta, BudgetType.COST);
    }

    public enum Kind {
        HOLD("hold"), COMMIT("commit"), RELEASE("release"), EXPIRE("expire");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }
}
