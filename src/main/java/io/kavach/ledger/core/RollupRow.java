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
    private static final char SEPARATOR = '\u001f';
    private static final int AGENT_ID_DIGITS = 20;

    public RollupRow {
        provider = provider == null ? "" : provider;
        model = model == null ? "" : model;
    }

    /**
     * The row's identity, in the order rows are written (and so locked). Built for every booked
     * event and budget (2,048 keys for a 512-event batch with three budgets), inside the batch's
     * transaction: {@code String.format} here was a quarter of the ingest profile
     * (docs/benchmarks.md). Agent ids are positive (a sequence), so the zero-padded id sorts as
     * the number does, as {@code %020d} did.
     */
    public String sortKey() {
        String id = Long.toString(agentId);
        return new StringBuilder(96).append(orgId).append(SEPARATOR).append(budgetId).append(SEPARATOR).append(day)
                .append(SEPARATOR).append("0".repeat(AGENT_ID_DIGITS - id.length())).append(id)
                .append(SEPARATOR).append(provider).append(SEPARATOR).append(model).toString();
    }

    /** This row and {@code other} (same key) as one. */
    public RollupRow plus(RollupRow other) {
        return new RollupRow(orgId, budgetId, day, agentId, provider, model, cost.plus(other.cost),
                inputTokens + other.inputTokens, outputTokens + other.outputTokens, calls + other.calls);
    }
}
