package io.kavach.ledger.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.ZoneId;
import java.util.Objects;
import java.util.UUID;

/**
 * A budget as seen in one window: its limit and the window's counters at one moment, who
 * manages the budget ({@code managedBy}; null where the reader did not ask, e.g. a 429's body)
 * and the time zone its windows follow.
 */
public record BudgetState(UUID budgetId, BudgetKey key, String budgetType, Money limit, Money spent,
                          Money reserved, Window window, BudgetOwner managedBy, ZoneId timezone) {

    public BudgetState(UUID budgetId, BudgetKey key, String budgetType, Money limit, Money spent,
                       Money reserved, Window window) {
        this(budgetId, key, budgetType, limit, spent, reserved, window, null, TimeZones.UTC);
    }

    public static final String COST = "cost";

    public BudgetState {
        Objects.requireNonNull(budgetId, "budgetId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(spent, "spent");
        Objects.requireNonNull(reserved, "reserved");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(timezone, "timezone");
    }

    /** {@code limit − spent − reserved}; negative after an overrun or ingest past the limit. */
    public Money remaining() {
        return limit.minus(spent).minus(reserved);
    }

    /** {@code (spent + reserved) / limit}, to six places. */
    public BigDecimal utilization() {
        return spent.plus(reserved).value().divide(limit.value(), 6, RoundingMode.HALF_EVEN).stripTrailingZeros();
    }

    public boolean exhausted() {
        return remaining().compareTo(Money.ZERO) <= 0;
    }
}
