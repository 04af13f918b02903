package io.kavach.ledger.config;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Scope;
import java.util.List;
import java.util.Objects;

/** What one budget should be: its key, its limit and, for a shared pool, its members (sorted, distinct). */
public record BudgetSpec(BudgetKey key, Money limit, List<String> agents) {

    public BudgetSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(limit, "limit");
        if ((key.scope() == Scope.SHARED) != (agents != null)) {
            throw new IllegalArgumentException("pools, and only pools, have members: " + key);
        }
        agents = agents == null ? null : agents.stream().distinct().sorted().toList();
    }

    public static BudgetSpec of(BudgetKey key, Money limit) {
        return new BudgetSpec(key, limit, key.scope() == Scope.SHARED ? List.of() : null);
    }
}
