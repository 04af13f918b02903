package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kavach.ledger.core.BudgetState;
import java.math.BigDecimal;
import java.time.Instant;

/** The budget state object of the contract, used everywhere a budget is shown. */
public record BudgetStateView(
        String id,
        String key,
        String scope,
        String name,
        String budgetType,
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
                state.key().period().wireName(),
                state.timezone().getId(),
                state.limit().toJsonNumber(),
                state.spent().toJsonNumber(),
                state.reserved().toJsonNumber(),
                state.remaining().toJsonNumber(),
                state.utilization(),
                state.window().start(),
                state.window().end(),
                state.managedBy() == null ? null : state.managedBy().wireName());
    }
}
