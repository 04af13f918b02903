package io.kavach.ledger.api;

import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Reservation;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A reservation as the API shows it; {@code budgets} only in the answer that created it. The
 * {@code held_*} token counts are what it holds in token budgets (as asked); {@code input_tokens}
 * and {@code output_tokens} what its commit reported.
 */
public record ReservationView(
        String id,
        String status,
        String agentName,
        BigDecimal amount,
        BigDecimal cost,
        Boolean overrun,
        Boolean late,
        Integer ttlSeconds,
        Instant expiresAt,
        Instant createdAt,
        Instant resolvedAt,
        String provider,
        String model,
        String runId,
        Long inputTokens,
        Long outputTokens,
        Long heldTokens,
        Long heldInputTokens,
        Long heldOutputTokens,
        List<BudgetStateView> budgets) {

    public static ReservationView of(Reservation r) {
        return of(r, null);
    }

    public static ReservationView of(Reservation r, List<BudgetState> budgets) {
        boolean committed = r.cost() != null;
        return new ReservationView(r.id().toString(), r.status().wireName(), r.agentName(), r.amount().toJsonNumber(),
                committed ? r.cost().toJsonNumber() : null, r.overrun(), r.late(), r.ttlSeconds(), r.expiresAt(),
                r.createdAt(), r.resolvedAt(), r.provider(), r.model(), r.runId(), r.inputTokens(), r.outputTokens(),
                r.request().tokens(), r.request().inputTokens(), r.request().outputTokens(),
                budgets == null ? null : budgets.stream().map(BudgetStateView::of).toList());
    }
}
