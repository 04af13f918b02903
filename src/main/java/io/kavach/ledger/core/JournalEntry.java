package io.kavach.ledger.core;

import java.util.List;
import java.util.UUID;

/** One append-only journal row: what a reservation step did to the counters of its windows. */
public record JournalEntry(String orgId, Kind kind, UUID reservationId, List<Long> windowIds, Money reservedDelta,
                           Money spentDelta) {

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
