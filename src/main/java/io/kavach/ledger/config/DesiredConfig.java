package io.kavach.ledger.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.DefaultBudget;
import io.kavach.ledger.core.FieldError;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;

/**
 * An org's budget configuration as an agentkavach.yaml states it: every budget by key, every
 * agent the file names (defined under {@code agents} or listed in a pool), the sections the
 * ledger keeps verbatim without enforcing them ({@link ConfigExtras}), and warnings about forms
 * the AgentKavach SDK would read differently than the ledger does, and the org's default budgets
 * when the file states {@code defaults.budget} (null when it does not: the template is left alone).
 */
public record DesiredConfig(Map<BudgetKey, BudgetSpec> budgets, SortedSet<String> agents, ObjectNode extras,
                            List<FieldError> warnings, List<DefaultBudget> defaultBudgets) {

    public DesiredConfig(Map<BudgetKey, BudgetSpec> budgets, SortedSet<String> agents, ObjectNode extras) {
        this(budgets, agents, extras, List.of(), null);
    }
}
