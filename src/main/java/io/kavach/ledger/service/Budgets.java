package io.kavach.ledger.service;

import io.kavach.ledger.ledger.Budget;
import io.kavach.ledger.ledger.store.BudgetEntity;

/** Conversions between the budget entity and the ledger's budget definition. */
final class Budgets {

    private Budgets() {
    }

    static Budget of(BudgetEntity entity) {
        return new Budget(entity.id, entity.key(), entity.budgetType, entity.limit(),
                io.kavach.ledger.ledger.BudgetOwner.fromWire(entity.managedBy).orElse(null));
    }
}
