package io.kavach.ledger.config;

import io.kavach.ledger.core.BudgetKey;
import java.util.UUID;

/**
 * One planned change to an org's budgets: create ({@code from} null), update (same key, other
 * limit or members; the budget keeps its id and counters), adopt (a config file takes over a
 * budget another writer owned, updating it if it differs) or delete ({@code to} null).
 */
public record BudgetChange(Action action, BudgetKey key, UUID budgetId, BudgetSpec from, BudgetSpec to) {

    public enum Action {
        // Declared in apply order: deletes free pool names before a pool is re-created with
        // another period; updates before creates is arbitrary but stable.
        DELETE, UPDATE, ADOPT, CREATE;

        public String wireName() {
            return name().toLowerCase();
        }
    }
}
