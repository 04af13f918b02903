package io.kavach.ledger.core;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A two-phase hold (docs/contract.md, "Reservations"): what was asked, where it is in its life and,
 * once resolved, how it ended. Its life is a small state machine whose only moves are the methods
 * below: a {@link #held} reservation is {@link #committed}, {@link #released} or {@link #expired};
 * an expired one may still be committed (the money was spent, the commit is late). A
 * {@link #rejected} one never held anything and never moves.
 */
public record Reservation(UUID id, String orgId, Request request, Instant createdAt, Instant expiresAt,
                          ReservationStatus status, Resolution resolution, List<Long> windowIds) {

    public static final int TTL_SECONDS_MIN = 1;
    public static final int TTL_SECONDS_MAX = 3600;
    public static final int TTL_SECONDS_DEFAULT = 300;

    /**
     * What the client asked for: the agent, the amount to hold, for how long, its labels, and the
     * token counts to hold (null: not stated; ADR 0015).
     */
    public record Request(String agentName, Money amount, int ttlSeconds, String provider, String model,
                          String runId, Long tokens, Long inputTokens, Long outputTokens) {
        public Request {
            Objects.requireNonNull(amount, "amount");
        }

        public Request(String agentName, Money amount, int ttlSeconds, String provider, String model, String runId) {
            this(agentName, amount, ttlSeconds, provider, model, runId, null, null, null);
        }

        public static Request of(LedgerCommand.Reserve reserve) {
            return new Request(reserve.agentName(), reserve.amount(), reserve.ttlSeconds(), reserve.provider(),
                    reserve.model(), reserve.runId(), reserve.tokens(), reserve.inputTokens(), reserve.outputTokens());
        }
    }

    /**
     * How a reservation ended, at {@code at}: {@code cost} and the token counts only for a commit;
     * {@code overrun} when it cost more than it held, {@code late} when it was committed at or
     * after its expiry.
     */
    public record Resolution(Instant at, Money cost, boolean overrun, boolean late, Long inputTokens,
                             Long outputTokens) {
        public Resolution {
            Objects.requireNonNull(at, "at");
        }

        /** A release, an expiry or a refusal: it ended without spending. */
        public static Resolution withoutSpend(Instant at) {
            return new Resolution(at, null, false, false, null, null);
        }
    }

    public Reservation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(status, "status");
        windowIds = List.copyOf(windowIds);
        LedgerInvariantViolation.check(status != ReservationStatus.PENDING || resolution == null,
                "pending reservation %s has a resolution %s", id, resolution);
    }

    /** A hold placed at {@code now} in {@code windowIds}, pending until {@code now + ttl}. */
    public static Reservation held(UUID id, String orgId, Request request, Instant now, List<Long> windowIds) {
        return new Reservation(id, orgId, request, now, now.plusSeconds(request.ttlSeconds()),
                ReservationStatus.PENDING, null, windowIds);
    }

    /** A reservation refused at {@code now}: it holds nothing and is kept only to replay the refusal. */
    public static Reservation rejected(UUID id, String orgId, Request request, Instant now) {
        return new Reservation(id, orgId, request, now, now.plusSeconds(request.ttlSeconds()),
                ReservationStatus.REJECTED, Resolution.withoutSpend(now), List.of());
    }

    /** Pending → committed, or expired → committed (late): {@code cost} was spent. */
    public Reservation committed(Instant at, Money cost, Long inputTokens, Long outputTokens) {
        boolean stillHeld = status == ReservationStatus.PENDING;
        LedgerInvariantViolation.check(stillHeld || status == ReservationStatus.EXPIRED,
                "reservation %s is %s and cannot be committed", id, status);
        Resolution ended = new Resolution(at, cost, cost.compareTo(amount()) > 0, expiredAt(at) || !stillHeld,
                inputTokens, outputTokens);
        return moved(ReservationStatus.COMMITTED, ended);
    }

    /** Pending → released at {@code at}. */
    public Reservation released(Instant at) {
        return endedWithoutSpend(ReservationStatus.RELEASED, at);
    }

    /** Pending → expired at {@code at} (by the expiry sweep). */
    public Reservation expired(Instant at) {
        return endedWithoutSpend(ReservationStatus.EXPIRED, at);
    }

    private Reservation endedWithoutSpend(ReservationStatus to, Instant at) {
        LedgerInvariantViolation.check(status == ReservationStatus.PENDING,
                "reservation %s is %s and cannot become %s", id, status, to);
        return moved(to, Resolution.withoutSpend(at));
    }

    private Reservation moved(ReservationStatus to, Resolution ended) {
        return new Reservation(id, orgId, request, createdAt, expiresAt, to, ended, windowIds);
    }

    /** A hold is expired from {@code expires_at} on. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** This reservation as it was answered when created (status pending), for idempotent replay. */
    public Reservation asCreated() {
        return new Reservation(id, orgId, request, createdAt, expiresAt, ReservationStatus.PENDING, null, windowIds);
    }

    public String agentName() {
        return request.agentName();
    }

    public Money amount() {
        return request.amount();
    }

    public int ttlSeconds() {
        return request.ttlSeconds();
    }

    public String provider() {
        return request.provider();
    }

    public String model() {
        return request.model();
    }

    public String runId() {
        return request.runId();
    }

    public Money cost() {
        return resolution == null ? null : resolution.cost();
    }

    public Instant resolvedAt() {
        return resolution == null ? null : resolution.at();
    }

    public boolean overrun() {
        return resolution != null && resolution.overrun();
    }

    public boolean late() {
        return resolution != null && resolution.late();
    }

    public Long inputTokens() {
        return resolution == null ? null : resolution.inputTokens();
    }

    public Long outputTokens() {
        return resolution == null ? null : resolution.outputTokens();
    }
}
