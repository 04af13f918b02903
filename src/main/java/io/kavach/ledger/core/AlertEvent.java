package io.kavach.ledger.core;

import io.kavach.ledger.core.AlertRule.Channel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A fired alert as the outbox holds it, with its rule's delivery settings. */
public record AlertEvent(UUID id, String orgId, UUID ruleId, long windowId, UUID budgetId, String budgetKey,
                         BigDecimal threshold, BigDecimal limit, BigDecimal spent, BigDecimal reserved,
                         Instant windowStart, Instant windowEnd, Instant firedAt, String status, int attempts,
                         Instant nextAttemptAt, Instant resolvedAt, Instant actionDoneAt, Channel channel,
                         String target, String secret, String action) {

    public boolean kills() {
        return AlertRule.KILL.equals(action) || channel == Channel.KILL;
    }

    /** One delivery attempt. */
    public record Attempt(UUID eventId, int attempt, Instant attemptedAt, String outcome, Integer httpStatus,
                          long latencyMs, String error) {
    }
}
