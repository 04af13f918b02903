package io.kavach.ledger.core;

import java.util.Arrays;
import java.util.Optional;

/**
 * Whom a budget covers. Declared in 429 precedence order: when several budgets are exhausted
 * at once the org's is reported first (the SDK treats it as permanent), then a shared pool's,
 * then the agent's own.
 */
public enum Scope {
    ORG("org", "org_budget_exceeded"),
    SHARED("shared", "shared_budget_exceeded"),
    AGENT("agent", "agent_budget_exceeded");

    private final String wireName;
    private final String exceededReason;

    Scope(String wireName, String exceededReason) {
        this.wireName = wireName;
        this.exceededReason = exceededReason;
    }

    public String wireName() {
        return wireName;
    }

    /** The stable {@code reason} code of a 429 caused by a budget of this scope. */
    public String exceededReason() {
        return exceededReason;
    }

    public static Optional<Scope> fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
