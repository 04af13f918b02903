package io.kavach.ledger.core;

import java.util.Arrays;
import java.util.Optional;

/**
 * Who last created or changed a budget (its {@code managed_by}, ADR 0008). {@code PUT /v1/config}
 * removes only budgets it owns that the file no longer mentions; the others are left alone.
 */
public enum BudgetOwner {
    /** Created or last changed by {@code PUT /v1/config}. */
    CONFIG("config"),
    /** Created or last changed through the budgets endpoints (org budgets, pools, agent budgets). */
    API("api"),
    /** Created or last tightened by an SDK's {@code POST /v1/sync-config}. */
    SDK("sdk"),
    /** Created by the ledger from the org's default budgets, on the agent's first spend (ADR 0015). */
    DEFAULT("default");

    private final String wireName;

    BudgetOwner(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<BudgetOwner> fromWire(String name) {
        return Arrays.stream(values()).filter(o -> o.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
