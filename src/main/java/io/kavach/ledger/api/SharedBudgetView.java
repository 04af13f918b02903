package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.kavach.ledger.service.PoolState;
import java.util.List;

/** A shared pool as the contract shows it: the budget state object plus {@code agents}, sorted. */
public record SharedBudgetView(@JsonUnwrapped BudgetStateView state, List<String> agents) {

    public static SharedBudgetView of(PoolState pool) {
        return new SharedBudgetView(BudgetStateView.of(pool.state()), pool.agents());
    }
}
