package io.kavach.ledger.core;

import java.util.Objects;
import java.util.UUID;

/**
 * A budget's definition: what it covers (its key), its type, its limit and who manages it
 * ({@code managedBy}, null where the reader did not ask).
 */
public record Budget(UUID id, BudgetKey key, String budgetType, Money limit, BudgetOwner managedBy) {

    public Budget(UUID id, BudgetKey key, String budgetType, Money limit) {
        this(id, key, budgetType, limit, null);
    }

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
        return new BudgetState(id, key, budgetType, limit, Money.ZERO, Money.ZERO, window, managedBy);
    }
}
