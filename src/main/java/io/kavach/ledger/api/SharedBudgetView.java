package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kavach.ledger.service.PoolState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A shared pool as the contract shows it: the budget state plus {@code agents}, sorted. */
public record SharedBudgetView(
        String id,
        String key,
        String scope,
        String name,
        String budgetType,
        String period,
        BigDecimal limitValue,
        BigDecimal spent,
        BigDecimal reserved,
        BigDecimal remaining,
        BigDecimal utilization,
        Instant windowStart,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant windowEnd,
        List<String> agents) {

    public static SharedBudgetView of(PoolState pool) {
        BudgetStateView s = BudgetStateView.of(pool.state());
        return new SharedBudgetView(s.id(), s.key(), s.scope(), s.name(), s.budgetType(), s.period(), s.limitValue(),
                s.spent(), s.reserved(), s.remaining(), s.utilization(), s.windowStart(), s.windowEnd(), pool.agents());
    }
}
