package io.kavach.ledger.ledger;

import java.util.Objects;
import java.util.UUID;

/** A budget's definition: what it covers (its key), its type and its limit. */
public record Budget(UUID id, BudgetKey key, String budgetType, Money limit) {

    public Budget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(budgetType, "budgetType");
        Objects.requireNonNull(limit, "limit");
    }

    public Period period() {
        return key.period();
    }

    public Scope scope() {
        return key.scope();
    }

    /** The state of this budget in a window that holds nothing yet. */
    public BudgetState emptyState(Window window) {
        return new BudgetState(id, key, budgetType, limit, Money.ZERO, Money.ZERO, window);
    }
}
