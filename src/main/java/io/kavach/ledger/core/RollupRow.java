package io.kavach.ledger.core;

import java.time.LocalDate;
import java.util.Comparator;
import java.util.UUID;

/**
 * Spend to add to one row of the daily rollup (ADR 0010); {@code budgetId} {@link #ALL_SPEND} is
 * the row of all the org's spend, whatever budget applied.
 */
public record RollupRow(String orgId, UUID budgetId, LocalDate day, long agentId, String provider, String model,
                        Money cost, long inputTokens, long outputTokens, long calls) {

    public static final UUID ALL_SPEND = new UUID(0, 0);

    /**
     * The order rows are written (and so locked) in: their {@link Key}'s, org, budget, day,
     * agent, provider, model. It is the order of the text key earlier versions sorted by (the
     * fields joined by U+001F, the agent id zero-padded to 20 digits), so instances of different
     * versions lock rollup rows in one order (RollupRowTest compares the two on random rows):
     * a budget id's text is fixed-width lower-case hex, which sorts as its two halves do unsigned;
     * an ISO day sorts as the date; a positive id padded sorts as the number; and U+001F sorts
     * below every character clean text allows, so a field that is a prefix of another sorts first,
     * as in the joined text. Compared field by field, without building that text (building it per
     * booked event and budget was 4.6 % of an ingest profile, docs/benchmarks.md); the store sums
     * rows by key first, so only the distinct rows are sorted.
     */
    public static final Comparator<RollupRow> ORDER = Comparator.comparing(RollupRow::key, Key.ORDER);

    public RollupRow {
        provider = provider == null ? "" : provider;
        model = model == null ? "" : model;
    }

    /** As {@code a.toString().compareTo(b.toString())} would order them. */
    private static int compareAsText(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    /** The row of the rollup this spend goes to, the rows' identity: equal keys are one row. */
    public record Key(String orgId, UUID budgetId, LocalDate day, long agentId, String provider, String model) {

        static final Comparator<Key> ORDER = Comparator.comparing(Key::orgId)
                .thenComparing(Key::budgetId, RollupRow::compareAsText)
                .thenComparing(Key::day)
                .thenComparingLong(Key::agentId)
                .thenComparing(Key::provider)
                .thenComparing(Key::model);
    }

    public Key key() {
        return new Key(orgId, budgetId, day, agentId, provider, model);
    }

    /** This row and {@code other} (same key) as one. */
    public RollupRow plus(RollupRow other) {
        return new RollupRow(orgId, budgetId, day, agentId, provider, model, cost.plus(other.cost),
                inputTokens + other.inputTokens, outputTokens + other.outputTokens, calls + other.calls);
    }
}
