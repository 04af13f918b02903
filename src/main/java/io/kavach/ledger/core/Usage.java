package io.kavach.ledger.core;

import java.util.Objects;

/**
 * What one reservation, commit or spend event uses. {@link #in} is the one place that says how
 * much of a given budget that is, in the budget's unit (ADR 0015): USD for cost, tokens for the
 * token types (unstated counts are 0), one for requests.
 *
 * @param tokens input + output tokens; null means {@code inputTokens + outputTokens} (a hold may
 *               state only a total)
 */
public record Usage(Money cost, Long inputTokens, Long outputTokens, Long tokens) {

    public Usage {
        Objects.requireNonNull(cost, "cost");
    }

    /** Actual use: the tokens are the input and output counted. */
    public Usage(Money cost, Long inputTokens, Long outputTokens) {
        this(cost, inputTokens, outputTokens, null);
    }

    /** Usage known only by its cost. */
    public static Usage ofCost(Money cost) {
        return new Usage(cost, null, null, null);
    }

    /** What a reservation holds: its amount and the token counts it states. */
    public static Usage heldBy(Reservation.Request request) {
        return new Usage(request.amount(), request.inputTokens(), request.outputTokens(), request.tokens());
    }

    /** How much of {@code budget}'s unit this is. */
    public Money in(Budget budget) {
        return in(budget.key().type());
    }

    /** How much of a budget of {@code type} this is. */
    public Money in(BudgetType type) {
        return switch (type) {
            case COST -> cost;
            case TOKENS -> count(tokens != null ? tokens : orZero(inputTokens) + orZero(outputTokens));
            case INPUT_TOKENS -> count(orZero(inputTokens));
            case OUTPUT_TOKENS -> count(orZero(outputTokens));
            case REQUESTS -> count(1);
        };
    }

    private static long orZero(Long count) {
        return count == null ? 0 : count;
    }

    private static Money count(long count) {
        return Money.of(java.math.BigDecimal.valueOf(count));
    }
}
