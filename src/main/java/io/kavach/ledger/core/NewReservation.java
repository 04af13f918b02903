package io.kavach.ledger.core;

/**
 * A reservation to insert, with what only its row keeps: the agent's row id and, under an
 * idempotency key, the request's fingerprint and first answer (replayed to a retry).
 */
public record NewReservation(Reservation reservation, long agentId, String idempotencyKey, String fingerprint,
                             LedgerOutcome outcome) {
}
