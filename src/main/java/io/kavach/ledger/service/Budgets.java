package io.kavach.ledger.service;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.store.BudgetEntity;

/** Conversions between the budget entity and the ledger's budget definition. */
final class Budgets {

    private Budgets() {
    }

    static Budget of(BudgetEntity entity) {
        return new Budget(entity.id, entity.key(), entity.budgetType, entity.limit(),
                io.kavach.ledger.core.BudgetOwner.fromWire(entity.managedBy).orElse(null), entity.zone());
    }
}
