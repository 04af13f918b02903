package io.kavach.ledger.service;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.ReservationStatus;
import io.kavach.ledger.core.StoredReservation;
import io.kavach.ledger.ops.LedgerMetrics;
import io.kavach.ledger.store.ReservationStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The spend path's entry point for the API: reservations and ingest, one ledger batch each. */
@ApplicationScoped
public class SpendService {

    @Inject
    LedgerBatcher batcher;
    @Inject
    ReservationStore reservations;
    @Inject
    LedgerMetrics metrics;

    /**
     * Completes once the command's transaction has committed (possibly together with others). A
     * present {@code uncheckedKeyHash} is the caller's API key, accepted without a revocation check
     * and checked in the ledger transaction instead (the outcome is then
     * {@link LedgerOutcome.Unauthorized} if it was revoked).
     */
    public CompletionStage<LedgerOutcome> submit(LedgerCommand command, Optional<byte[]> uncheckedKeyHash) {
        Context caller = Vertx.currentContext();
        CompletableFuture<LedgerOutcome> outcome = batcher.submit(command, uncheckedKeyHash.orElse(null));
        if (caller == null) {
            return outcome.whenComplete((result, failure) -> metrics.record(command, result, failure));
        }
        // Continue on the request's own event loop: the ledger lane that completed the command
        // goes straight back to the next batch instead of counting, rendering and writing its answers.
        return outcome.whenCompleteAsync((result, failure) -> metrics.record(command, result, failure),
                task -> caller.runOnContext(ignored -> task.run()));
    }

    public Optional<Reservation> reservation(String orgId, UUID id) {
        return reservations.find(orgId, id).map(StoredReservation::reservation)
                .filter(r -> r.status() != ReservationStatus.REJECTED);
    }
}
