package io.kavach.ledger.config;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;

/**
 * What one budget should be: its key, its limit, for a shared pool its members (sorted,
 * distinct), and the time zone its windows follow (ADR 0014).
 */
public record BudgetSpec(BudgetKey key, Money limit, List<String> agents, ZoneId timezone) {

    public BudgetSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(timezone, "timezone");
        if ((key.scope() == Scope.SHARED) != (agents != null)) {
            throw new IllegalArgumentException("pools, and only pools, have members: " + key);
        }
        agents = agents == null ? null : agents.stream().distinct().sorted().toList();
    }

    /** A budget on UTC's clock. */
    public BudgetSpec(BudgetKey key, Money limit, List<String> agents) {
        this(key, limit, agents, TimeZones.UTC);
    }

    public static BudgetSpec of(BudgetKey key, Money limit) {
        return of(key, limit, TimeZones.UTC);
    }

    public static BudgetSpec of(BudgetKey key, Money limit, ZoneId timezone) {
        return new BudgetSpec(key, limit, key.scope() == Scope.SHARED ? List.of() : null, timezone);
    }
}
