package io.kavach.ledger.core;

import java.time.LocalDate;
import java.util.UUID;

/**
 * Spend to add to one row of the daily rollup (ADR 0010); {@code budgetId} {@link #ALL_SPEND} is
 * the row of all the org's spend, whatever budget applied.
 */
public record RollupRow(String orgId, UUID budgetId, LocalDate day, long agentId, String provider, String model,
                        Money cost, long inputTokens, long outputTokens, long calls) {

    public static final UUID ALL_SPEND = new UUID(0, 0);

    public RollupRow {
        provider = provider == null ? "" : provider;
        model = model == null ? "" : model;
    }

    /** The row's identity, in the order rows are written (and so locked). */
    public String sortKey() {
        return String.join("\u001f", orgId, budgetId.toString(), day.toString(), String.format("%020d", agentId),
                provider, model);
    }

    /** This row and {@code other} (same key) as one. */
    public RollupRow plus(RollupRow other) {
        return new RollupRow(orgId, budgetId, day, agentId, provider, model, cost.plus(other.cost),
                inputTokens + other.inputTokens, outputTokens + other.outputTokens, calls + other.calls);
    }
}
