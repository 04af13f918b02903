package io.kavach.ledger.core;

import java.util.Objects;

/**
 * The stable, human-readable key of a budget: {@code agent:<agent>:<period>},
 * {@code shared:<name>:<period>} (the seed's format) or {@code org:<period>} for a cost budget;
 * a budget of another type, or one that counts only one model's or provider's use, adds them:
 * {@code agent:crawler:hourly:requests}, {@code org:daily:output_tokens:model=gpt-4o} (ADR 0015).
 */
public record BudgetKey(Scope scope, String name, Period period, BudgetType type, String model, String provider) {

    public BudgetKey {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(type, "type");
        if ((scope == Scope.ORG) != (name == null)) {
            throw new IllegalArgumentException("org budgets have no name; shared and agent budgets need one");
        }
    }

    /** A cost budget that counts all use. */
    public BudgetKey(Scope scope, String name, Period period) {
        this(scope, name, period, BudgetType.COST, null, null);
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

    /** The same budget key with another type and filters. */
    public BudgetKey typed(BudgetType newType, String newModel, String newProvider) {
        return new BudgetKey(scope, name, period, newType, newModel, newProvider);
    }

    /** Whether a budget of this key counts a use of {@code useModel} through {@code useProvider}. */
    public boolean covers(String useProvider, String useModel) {
        return (model == null || model.equals(useModel)) && (provider == null || provider.equals(useProvider));
    }

    /** A cost budget that counts all use: the only kind before budget types, and what alert rules name. */
    public boolean plainCost() {
        return type == BudgetType.COST && model == null && provider == null;
    }

    @Override
    public String toString() {
        String base = scope == Scope.ORG
                ? scope.wireName() + ":" + period.wireName()
                : scope.wireName() + ":" + name + ":" + period.wireName();
        return base + (type == BudgetType.COST ? "" : ":" + type.wireName())
                + (model == null ? "" : ":model=" + model)
                + (provider == null ? "" : ":provider=" + provider);
    }
}
