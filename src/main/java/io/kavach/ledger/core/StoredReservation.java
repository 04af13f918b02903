package io.kavach.ledger.core;

/**
 * A reservation row with what idempotent replay needs (the request fingerprint and first outcome)
 * and the agent's row id (the spend rollup is keyed by it).
 */
public record StoredReservation(Reservation reservation, String fingerprint, LedgerOutcome firstOutcome, long agentId) {
}
