package io.kavach.ledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A two-phase hold (TigerBeetle's pending transfer) and, once resolved, how it ended. */
public record Reservation(
        UUID id,
        String orgId,
        String agentName,
        ReservationStatus status,
        Money amount,
        Money cost,
        int ttlSeconds,
        Instant expiresAt,
        Instant createdAt,
        Instant resolvedAt,
        boolean overrun,
        boolean late,
        String provider,
        String model,
        String runId,
        Long inputTokens,
        Long outputTokens,
        List<Long> windowIds) {

    public static final int TTL_SECONDS_MIN = 1;
    public static final int TTL_SECONDS_MAX = 3600;
    public static final int TTL_SECONDS_DEFAULT = 300;

    public Reservation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(amount, "amount");
        windowIds = List.copyOf(windowIds);
    }

    /** A hold is expired from {@code expires_at} on. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    public Reservation resolved(ReservationStatus newStatus, Money newCost, Instant at, boolean newOverrun,
                                boolean newLate, Long newInputTokens, Long newOutputTokens) {
        return new Reservation(id, orgId, agentName, newStatus, amount, newCost, ttlSeconds, expiresAt, createdAt, at,
                newOverrun, newLate, provider, model, runId, newInputTokens, newOutputTokens, windowIds);
    }

    /** This reservation as it was answered when created (status pending), for idempotent replay. */
    public Reservation asCreated() {
        return new Reservation(id, orgId, agentName, ReservationStatus.PENDING, amount, null, ttlSeconds, expiresAt,
                createdAt, null, false, false, provider, model, runId, null, null, windowIds);
    }
}
