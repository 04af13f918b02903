package io.kavach.ledger.store;

import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Reservation;

/**
 * A reservation row with what idempotent replay needs (the request fingerprint and first outcome)
 * and the agent's row id (the spend rollup is keyed by it).
 */
public record StoredReservation(Reservation reservation, String fingerprint, LedgerOutcome firstOutcome, long agentId) {
}
