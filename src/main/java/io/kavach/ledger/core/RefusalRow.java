package io.kavach.ledger.core;

import java.time.Instant;

/**
 * One refusal to count in the refusal log (ADR 0010): per agent, kind ({@code reservation} or
 * {@code ingest}), reason code and budget; {@code budgetKey} is '' when no budget is the cause (a
 * paused agent).
 */
public record RefusalRow(String orgId, long agentId, String kind, String reason, String budgetKey, Instant at,
                         long count) {

    /** The row's identity, in the order rows are written (and so locked). */
    public String sortKey() {
        return String.join("\u001f", orgId, String.format("%020d", agentId), kind, reason, budgetKey);
    }

    /** This row and {@code other} (same key) as one, seen last at the later time. */
    public RefusalRow plus(RefusalRow other) {
        return new RefusalRow(orgId, agentId, kind, reason, budgetKey, at.isAfter(other.at) ? at : other.at,
                count + other.count);
    }
}
