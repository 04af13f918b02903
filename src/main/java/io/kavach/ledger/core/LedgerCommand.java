package io.kavach.ledger.core;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One request to the ledger. The ledger applies a batch of commands in one transaction, in
 * arrival order; a single HTTP request is a batch of one.
 */
public sealed interface LedgerCommand {

    String orgId();

    /**
     * Hold {@code amount} (and the stated token counts, ADR 0015) in every applicable budget of the
     * agent, or nothing at all.
     */
    record Reserve(String orgId, String agentName, Money amount, int ttlSeconds, String idempotencyKey,
                   String provider, String model, String runId, Long tokens, Long inputTokens, Long outputTokens)
            implements LedgerCommand {
        public Reserve {
            Objects.requireNonNull(orgId, "orgId");
            Objects.requireNonNull(agentName, "agentName");
            Objects.requireNonNull(amount, "amount");
        }

        /** A reservation of an amount alone. */
        public Reserve(String orgId, String agentName, Money amount, int ttlSeconds, String idempotencyKey,
                       String provider, String model, String runId) {
            this(orgId, agentName, amount, ttlSeconds, idempotencyKey, provider, model, runId, null, null, null);
        }

        /**
         * What the request asked, canonically: a reused idempotency key must ask exactly this again.
         * Token counts are appended only when stated, so a key stored before they existed still matches.
         */
        public String fingerprint() {
            String base = String.join("\u001f", agentName, amount.toString(), Integer.toString(ttlSeconds),
                    String.valueOf(provider), String.valueOf(model), String.valueOf(runId));
            return tokens == null && inputTokens == null && outputTokens == null ? base
                    : String.join("\u001f", base, String.valueOf(tokens), String.valueOf(inputTokens),
                    String.valueOf(outputTokens));
        }
    }

    /** Turn a hold into spend of {@code cost} (lower frees the rest, higher is booked as an overrun). */
    record Commit(String orgId, UUID reservationId, Money cost, Long inputTokens, Long outputTokens)
            implements LedgerCommand {
        public Commit {
            Objects.requireNonNull(reservationId, "reservationId");
            Objects.requireNonNull(cost, "cost");
        }
    }

    /** Free a hold without spending. */
    record Release(String orgId, UUID reservationId) implements LedgerCommand {
    }

    /** Book spend that already happened; every event counts, even past the limit. */
    record Ingest(String orgId, List<SpendEvent> events) implements LedgerCommand {
        public Ingest {
            events = List.copyOf(events);
        }
    }

    /**
     * One finished LLM call as the SDK reports it. {@code occurredAtGiven} is false when the client
     * sent no timestamp and {@code occurredAt} is the time it arrived: a resend of such an event
     * arrives at another time and is still the same event.
     */
    record SpendEvent(String agentName, Money cost, Instant occurredAt, String idempotencyKey, String provider,
                      String model, Long inputTokens, Long outputTokens, Long durationMs, String runId,
                      String status, boolean occurredAtGiven) {
        public SpendEvent {
            Objects.requireNonNull(agentName, "agentName");
            Objects.requireNonNull(cost, "cost");
            Objects.requireNonNull(occurredAt, "occurredAt");
            // The ledger keeps time to the microsecond, as PostgreSQL does; the driver would round
            // nanoseconds, so the event is cut to what is stored before anything compares it.
            occurredAt = occurredAt.truncatedTo(ChronoUnit.MICROS);
        }

        /** An event whose timestamp the client gave. */
        public SpendEvent(String agentName, Money cost, Instant occurredAt, String idempotencyKey, String provider,
                          String model, Long inputTokens, Long outputTokens, Long durationMs, String runId,
                          String status) {
            this(agentName, cost, occurredAt, idempotencyKey, provider, model, inputTokens, outputTokens, durationMs,
                    runId, status, true);
        }

        /** The same event, its time taken on arrival because the client sent none. */
        public SpendEvent timedOnArrival() {
            return new SpendEvent(agentName, cost, occurredAt, idempotencyKey, provider, model, inputTokens,
                    outputTokens, durationMs, runId, status, false);
        }
    }
}
