package io.kavach.ledger.store;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** The definition of a budget (scope, period, limit). Its counters live in budget_window rows. */
@Entity
@Table(name = "budget")
public class BudgetEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "org_id", nullable = false)
    public String orgId;

    @Column(nullable = false)
    public String scope;

    public String name;

    @Column(name = "agent_id")
    public Long agentId;

    @Column(name = "budget_type", nullable = false)
    public String budgetType;

    @Column(nullable = false)
    public String period;

    @Column(name = "limit_value", nullable = false, precision = 38, scale = 9)
    public BigDecimal limitValue;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    /** Who last created or changed it: config, api or sdk (ADR 0008). */
    @Column(name = "managed_by", nullable = false)
    public String managedBy = "api";

    /** Counts only this model's or provider's use when set (ADR 0015). */
    public String model;

    public String provider;

    /** The IANA zone its windows follow (ADR 0014). */
    @Column(nullable = false)
    public String timezone = "UTC";

    public java.time.ZoneId zone() {
        return java.time.ZoneId.of(timezone);
    }

    public Scope scopeValue() {
        return Scope.fromWire(scope).orElseThrow();
    }

    public Period periodValue() {
        return Period.fromWire(period).orElseThrow();
    }

    public Money limit() {
        return Money.of(limitValue);
    }

    public BudgetKey key() {
        return new BudgetKey(scopeValue(), scopeValue() == Scope.ORG ? null : name, periodValue(),
                io.kavach.ledger.core.BudgetType.fromWire(budgetType).orElseThrow(), model, provider);
    }
}
