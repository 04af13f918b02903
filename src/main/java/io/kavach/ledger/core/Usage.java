package io.kavach.ledger.core;

import java.util.Objects;

/**
 * What one reservation, commit or spend event uses. {@link #in} is the one place that says how
 * much of a given budget that is: today every budget counts cost in USD, so it is the cost.
 */
public record Usage(Money cost, Long inputTokens, Long outputTokens) {

    public Usage {
        Objects.requireNonNull(cost, "cost");
    }

    /** Usage known only by its cost (a hold, which is an estimate of cost). */
    public static Usage ofCost(Money cost) {
        return new Usage(cost, null, null);
    }

    /** How much of {@code budget}'s unit this is. */
    public Money in(Budget budget) {
        return cost;
    }
}
