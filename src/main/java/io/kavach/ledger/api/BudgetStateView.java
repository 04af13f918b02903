package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import java.math.BigDecimal;
import java.time.Instant;

/** The budget state object of the contract, used everywhere a budget is shown. */
public record BudgetStateView(
        String id,
        String key,
        String scope,
        String name,
        String budgetType,
        String model,
        String provider,
        String period,
        String timezone,
        BigDecimal limitValue,
        BigDecimal spent,
        BigDecimal reserved,
        BigDecimal remaining,
        BigDecimal utilization,
        Instant windowStart,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant windowEnd,
        String managedBy) {

    public static BudgetStateView of(BudgetState state) {
        return new BudgetStateView(
                state.budgetId().toString(),
                state.key().toString(),
                state.key().scope().wireName(),
                state.key().name(),
                state.budgetType(),
                state.key().model(),
                state.key().provider(),
                state.key().period().wireName(),
                state.timezone().getId(),
                number(state, state.limit()),
                number(state, state.spent()),
                number(state, state.reserved()),
                number(state, state.remaining()),
                state.utilization(),
                state.window().start(),
                state.window().end(),
                state.managedBy() == null ? null : state.managedBy().wireName());
    }

    /** USD as a JSON number; counts (tokens, requests), which are whole, as JSON integers. */
    private static BigDecimal number(BudgetState state, Money amount) {
        return state.key().type().counts() ? amount.value().setScale(0, java.math.RoundingMode.UNNECESSARY)
                : amount.toJsonNumber();
    }
}
