package io.kavach.ledger.core;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.UUID;

/**
 * A budget's definition: what it covers (its key), its type, its limit, who manages it
 * ({@code managedBy}, null where the reader did not ask) and the time zone its windows follow.
 */
public record Budget(UUID id, BudgetKey key, String budgetType, Money limit, BudgetOwner managedBy, ZoneId timezone) {

    public Budget(UUID id, BudgetKey key, String budgetType, Money limit) {
        this(id, key, budgetType, limit, null, TimeZones.UTC);
    }

    public Budget {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(budgetType, "budgetType");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(timezone, "timezone");
    }

    /** This budget's window containing {@code instant}, on its own clock. */
    public Window windowAt(Instant instant) {
        return key.period().windowAt(instant, timezone);
    }

    public Period period() {
        return key.period();
    }

    public Scope scope() {
        return key.scope();
    }

    /** The state of this budget in a window that holds nothing yet. */
    public BudgetState emptyState(Window window) {
        return new BudgetState(id, key, budgetType, limit, Money.ZERO, Money.ZERO, window, managedBy, timezone);
    }
}
