package io.kavach.ledger.api;

import io.kavach.ledger.ledger.BudgetState;

/** {@code budget_type}: defaults to {@code cost}, the only type for now (token and request budgets are planned). */
final class BudgetTypes {

    private BudgetTypes() {
    }

    static String read(RequestReader request) {
        String type = request.oneOf("budget_type", RequestReader.Presence.OPTIONAL, java.util.Set.of(BudgetState.COST));
        return type == null ? BudgetState.COST : type;
    }
}
