package io.kavach.ledger.core;

import java.util.Objects;

/**
 * The stable, human-readable key of a budget: {@code agent:<agent>:<period>},
 * {@code shared:<name>:<period>} (the seed's format) or {@code org:<period>}.
 */
public record BudgetKey(Scope scope, String name, Period period) {

    public BudgetKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(period, "period");
        if ((scope == Scope.ORG) != (name == null)) {
            throw new IllegalArgumentException("org budgets have no name; shared and agent budgets need one");
        }
    }

    public static BudgetKey org(Period period) {
        return new BudgetKey(Scope.ORG, null, period);
    }

    public static BudgetKey shared(String pool, Period period) {
        return new BudgetKey(Scope.SHARED, pool, period);
    }

    public static BudgetKey agent(String agent, Period period) {
        return new BudgetKey(Scope.AGENT, agent, period);
    }

    @Override
    public String toString() {
        return scope == Scope.ORG
                ? scope.wireName() + ":" + period.wireName()
                : scope.wireName() + ":" + name + ":" + period.wireName();
    }
}
