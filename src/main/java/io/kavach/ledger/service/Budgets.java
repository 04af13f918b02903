package io.kavach.ledger.service;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;

/** The ledger's budget for a stored definition: every budget counts cost today. */
final class Budgets {

    private Budgets() {
    }

    static Budget of(Definition definition) {
        return new Budget(definition.id(), definition.key(), BudgetState.COST, definition.limit(), definition.owner());
    }
}
