package io.kavach.ledger.service;

import io.kavach.ledger.alert.AlertFiring;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerDecider;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.LedgerWrites;
import io.kavach.ledger.core.LockedLedger;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.StoredReservation;
import io.kavach.ledger.security.KnownApiKeys;
import io.kavach.ledger.store.ApiKeyStore;
import io.kavach.ledger.store.LedgerStore;
import io.kavach.ledger.store.ReservationStore;
import io.kavach.ledger.store.SpendEventStore;
import io.kavach.ledger.store.SqlFailures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Applies a batch of ledger commands in one transaction: lock → load → decide → write. It locks
 * and loads everything the batch touches, in the one lock order written in {@link LedgerStore},
 * into a {@link LockedLedger}; the core ({@link LedgerDecider}) decides each command in arrival
 * order against the running totals; then everything decided is written once. A request is a
 * batch of one; the group-commit path ({@link LedgerBatcher}) hands in larger batches. This class
 * owns the transaction, its retries and the API key check (ADR 0004); no ledger rule is here.
 */
@ApplicationScoped
public class LedgerProcessor {

    private static final Logger LOG = Logger.getLogger(LedgerProcessor.class);
    /** Attempts of one batch when PostgreSQL reports a deadlock, lock timeout or a lost idempotency race. */
    static final int ATTEMPTS_MAX = 3;

    @Inject
    LedgerStore store;
    @Inject
    ReservationStore reservations;
    @Inject
    SpendEventStore spendEvents;
    @Inject
    LedgerLoader loader;
    @Inject
    ApiKeyStore apiKeys;
    @Inject
    Clock clock;
    @Inject
    MeterRegistry metrics;
    @Inject
    KnownApiKeys knownKeys;
    @Inject
    OrgLimits limits;
    /** Alert rules whose threshold this batch's bookings reached go to the outbox in this transaction (ADR 0011). */
    @Inject
    AlertFiring alertFiring;

    /** Outcomes in the order of {@code batch}, for callers whose credentials are already checked. */
    public List<LedgerOutcome> process(List<? extends LedgerCommand> batch) {
        return process(batch, Collections.nCopies(batch.size(), null));
    }

    /**
     * Outcomes in the order of {@code batch}. {@code keyHashes.get(i)} is the hash of the API key
     * of command i whose revocation is not checked yet, or null. Those keys are checked first, in
     * the batch's transaction; a command whose key is not live is {@link LedgerOutcome.Unauthorized}
     * and touches nothing. Nothing is acknowledged before the transaction commits.
     */
    public List<LedgerOutcome> process(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        if (keyHashes.size() != batch.size()) {
            throw new IllegalArgumentException("one key hash (or null) per command");
        }
        List<LedgerOutcome> outcomes = attempt(batch, keyHashes);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof LedgerOutcome.Unauthorized) {
                knownKeys.forget(keyHashes.get(i));
            }
        }
        return outcomes;
    }

    private List<LedgerOutcome> attempt(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> apply(batch, keyHashes));
            } catch (RuntimeException e) {
                String cause = retryCause(e);
                if (cause == null || attempt >= ATTEMPTS_MAX) {
                    throw e;
                }
                // Counted so that a deadlock, which the lock order rules out, would never go unseen.
                metrics.counter("kavach.ledger.retries", "cause", cause).increment();
                LOG.debugf("retrying ledger batch of %s commands after %s (attempt %s)", (Object) batch.size(), e.toString(), (Object) attempt);
            }
        }
    }

    /** Expires up to {@code limit} pending holds whose time is up; returns how many. */
    public int expire(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = now();
            // Steps 2, 6 and 7 of the lock order in LedgerStore: the sweep takes no other lock.
            List<Reservation> due = reservations.lockExpired(now, limit).stream().map(StoredReservation::reservation).toList();
            if (due.isEmpty()) {
                return 0;
            }
            Set<Long> windowIds = new TreeSet<>();
            due.forEach(r -> windowIds.addAll(r.windowIds()));
            LockedLedger locked = new LockedLedger(limits.agentsPerOrg())
                    .windowsLocked(store.lockWindows(List.of(), windowIds));
            LedgerWrites writes = LedgerDecider.expire(due, locked, now);
            store.updateWindows(writes.windows());
            reservations.updateReservations(writes.changedReservations());
            store.insertJournal(writes.journal());
            return due.size();
        });
    }

    /** PostgreSQL keeps microseconds; deciding with the same precision makes replays identical. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private List<LedgerOutcome> apply(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        Instant now = now();
        boolean[] refused = refusedKeys(keyHashes);
        if (refused == null) {
            return decideAndWrite(batch, now);
        }
        // Commands with a revoked key are left out entirely: no agent, window or row is touched.
        List<LedgerCommand> allowed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (!refused[i]) {
                allowed.add(batch.get(i));
            }
        }
        List<LedgerOutcome> decided = allowed.isEmpty() ? List.of() : decideAndWrite(allowed, now);
        List<LedgerOutcome> outcomes = new ArrayList<>(batch.size());
        int next = 0;
        for (int i = 0; i < batch.size(); i++) {
            outcomes.add(refused[i] ? new LedgerOutcome.Unauthorized() : decided.get(next++));
        }
        return List.copyOf(outcomes);
    }

    /**
     * Step 0 of the lock order in {@link LedgerStore} (it takes no lock): which unchecked API keys are still live.
     * Returns which commands to refuse, or null when there is none.
     */
    private boolean[] refusedKeys(List<byte[]> keyHashes) {
        Map<String, byte[]> unchecked = new LinkedHashMap<>();
        for (byte[] hash : keyHashes) {
            if (hash != null) {
                unchecked.putIfAbsent(HexFormat.of().formatHex(hash), hash);
            }
        }
        if (unchecked.isEmpty()) {
            return null;
        }
        Set<String> live = apiKeys.liveKeyHashes(unchecked.values());
        if (live.size() == unchecked.size()) {
            return null;
        }
        boolean[] refused = new boolean[keyHashes.size()];
        for (int i = 0; i < refused.length; i++) {
            byte[] hash = keyHashes.get(i);
            refused[i] = hash != null && !live.contains(HexFormat.of().formatHex(hash));
        }
        return refused;
    }

    /** Steps 1 to 6 of the lock order in {@link LedgerStore} (lock and load), the decisions, step 7 (write). */
    private List<LedgerOutcome> decideAndWrite(List<? extends LedgerCommand> batch, Instant now) {
        LockedLedger locked = loader.lockAndLoad(batch, now);
        LedgerDecider.Decided decided = LedgerDecider.decide(batch, locked, now);
        write(decided.writes(), now);
        return decided.outcomes();
    }

    /** Step 7: one write of everything decided. */
    private void write(LedgerWrites writes, Instant now) {
        store.updateWindows(writes.windows());
        alertFiring.fire(writes.windows(), now);
        if (!reservations.insertReservations(writes.newReservations())) {
            throw new IdempotencyRace();
        }
        reservations.updateReservations(writes.changedReservations());
        store.insertJournal(writes.journal());
        spendEvents.addToRollup(writes.rollup());
        spendEvents.recordRefusals(writes.refusals());
    }

    /** A concurrent transaction committed the same reservation idempotency key first. */
    static final class IdempotencyRace extends RuntimeException {
        IdempotencyRace() {
            super("idempotency key raced with a concurrent request", null, false, false);
        }
    }

    /** Why a failed batch may be retried as a whole, or null when it may not. */
    static String retryCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IdempotencyRace) {
                return "idempotency_race";
            }
        }
        return SqlFailures.retryCause(e).orElse(null);
    }
}
