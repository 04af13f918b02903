package io.kavach.ledger.ledger.store;

import io.kavach.ledger.ledger.LedgerOutcome;
import io.kavach.ledger.ledger.Reservation;

/**
 * A reservation row with what idempotent replay needs (the request fingerprint and first outcome)
 * and the agent's row id (the spend rollup is keyed by it).
 */
public record StoredReservation(Reservation reservation, String fingerprint, LedgerOutcome firstOutcome, long agentId) {
}
