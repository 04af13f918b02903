package io.kavach.ledger.api;

import io.kavach.ledger.ledger.BudgetState;

/** {@code budget_type}: defaults to {@code cost}, the only type for now (token and request budgets are planned). */
final class BudgetTypes {

    private BudgetTypes() {
    }

    static String read(RequestReader request) {
        String type = request.string("budget_type", false, BudgetState.COST::equals,
                "must be \"cost\" (the only budget type supported for now)");
        return type == null ? BudgetState.COST : type;
    }
}
