package io.kavach.ledger.core;

import java.time.ZoneId;
import java.util.Objects;

/**
 * One of an org's default budgets (ADR 0015): every agent that has never had an own budget of
 * this type and period (without filters) gets one with this limit, made on its first spend.
 */
public record DefaultBudget(BudgetType type, Period period, Money limit, ZoneId timezone) {

    public DefaultBudget {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(timezone, "timezone");
    }
}
