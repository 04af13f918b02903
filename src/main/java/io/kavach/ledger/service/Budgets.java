package io.kavach.ledger.service;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;

/** The ledger's budget for a stored definition: its key (type and filters included), limit, owner and zone. */
final class Budgets {

    private Budgets() {
    }

    static Budget of(Definition definition) {
        return new Budget(definition.id(), definition.key(), definition.key().type().wireName(), definition.limit(),
                definition.owner(), definition.timezone());
    }
}
