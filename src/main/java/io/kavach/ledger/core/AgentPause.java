package io.kavach.ledger.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A stop on one agent (ADR 0007): since {@code pausedAt}, for {@code reason} (may be null), until
 * {@code until} — the end of the budget window whose alert killed it (ADR 0011) — or, when
 * {@code until} is null, until an admin lifts it. Meanwhile the agent's reservations are refused
 * and its ingests, still booked, are answered so that the AgentKavach SDK stops the agent.
 */
public record AgentPause(Instant pausedAt, String reason, Instant until) {

    /** Longest reason kept, in characters. */
    public static final int REASON_LENGTH_MAX = 500;

    public AgentPause {
        Objects.requireNonNull(pausedAt, "pausedAt");
    }

    /** A pause that lasts until an admin lifts it. */
    public AgentPause(Instant pausedAt, String reason) {
        this(pausedAt, reason, null);
    }
}
