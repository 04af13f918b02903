package io.kavach.ledger.core;

import java.time.Instant;
import java.util.Objects;

/**
 * An admin's stop on one agent (ADR 0007): since {@code pausedAt}, for {@code reason} (may be
 * null). Until it is lifted the agent's reservations are refused and its ingests, still booked,
 * are answered so that the AgentKavach SDK stops the agent.
 */
public record AgentPause(Instant pausedAt, String reason) {

    /** Longest reason kept, in characters. */
    public static final int REASON_LENGTH_MAX = 500;

    public AgentPause {
        Objects.requireNonNull(pausedAt, "pausedAt");
    }
}
