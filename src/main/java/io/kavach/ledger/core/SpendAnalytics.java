package io.kavach.ledger.core;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** What spend analytics answer: groups of booked spend per UTC day, and the refusal log (ADR 0010). */
public final class SpendAnalytics {

    private SpendAnalytics() {
    }

    /** What spend can be grouped by, in the order rows are sorted. */
    public enum Dimension {
        DAY("day"), AGENT("agent"), PROVIDER("provider"), MODEL("model"), BUDGET("budget");

        private final String wireName;

        Dimension(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Dimension> fromWire(String name) {
            for (Dimension d : values()) {
                if (d.wireName.equals(name)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        }
    }

    /** Totals of one group (or of the whole range): exact cost, tokens and calls. */
    public record Totals(Money cost, long inputTokens, long outputTokens, long calls) {
    }

    /** One row: the group's values (null where not grouped or not named) and its totals. */
    public record Row(LocalDate day, String agent, String provider, String model, UUID budgetId, BudgetKey budget,
                      Totals totals) {
    }

    public record Page(List<Row> rows, Totals total, boolean hasMore) {
    }

    public record Refusal(String agent, String kind, String reason, String budgetKey, Instant firstAt, Instant lastAt,
                          long count) {
    }

}
