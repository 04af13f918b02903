package io.kavach.ledger.core;

import java.time.Instant;

/** What identifies a recorded spend event beyond its idempotency key: its agent, cost and time. */
public record RecordedEvent(long agentId, Money cost, Instant occurredAt) {

    /**
     * Whether {@code other} is the same event, to PostgreSQL's microsecond; a resend without a
     * timestamp matches any time.
     */
    public boolean sameEvent(long otherAgentId, LedgerCommand.SpendEvent other) {
        return agentId == otherAgentId && cost.compareTo(other.cost()) == 0
                && (!other.occurredAtGiven() || occurredAt.equals(other.occurredAt()));
    }
}
