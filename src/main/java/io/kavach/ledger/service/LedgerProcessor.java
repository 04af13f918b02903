package io.kavach.ledger.service;

import io.kavach.ledger.alert.AlertFiring;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerDecider;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.LedgerWrites;
import io.kavach.ledger.core.LockedLedger;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.StoredReservation;
import io.kavach.ledger.core.WindowBalance;
import io.kavach.ledger.security.KnownApiKeys;
import io.kavach.ledger.store.ApiKeyStore;
import io.kavach.ledger.store.LedgerStore;
import io.kavach.ledger.store.ReservationStore;
import io.kavach.ledger.store.RoundTrip;
import io.kavach.ledger.store.RoundTrips;
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
    RoundTrips trips;
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
     * of command i whose revocation is not checked yet, or null. Those keys are checked in the
     * batch's transaction; a command whose key is not live is {@link LedgerOutcome.Unauthorized}
     * and touches nothing. Nothing is acknowledged before the transaction commits.
     */
    public List<LedgerOutcome> process(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        if (keyHashes.size() != batch.size()) {
            throw new IllegalArgumentException("one key hash (or null) per command");
        }
        boolean[] refused;
        try {
            return attempt(batch, keyHashes);
        } catch (KeysRefused e) {
            refused = e.refused;
        }
        // A revoked key is rare: its batch rolled back, and the other commands run again without
        // the refused ones, whose keys were just checked, so those touched nothing.
        List<LedgerCommand> allowed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (refused[i]) {
                knownKeys.forget(keyHashes.get(i));
            } else {
                allowed.add(batch.get(i));
            }
        }
        List<LedgerOutcome> decided = allowed.isEmpty() ? List.of() : attempt(allowed, Collections.nCopies(allowed.size(), null));
        List<LedgerOutcome> outcomes = new ArrayList<>(batch.size());
        int next = 0;
        for (int i = 0; i < batch.size(); i++) {
            outcomes.add(refused[i] ? new LedgerOutcome.Unauthorized() : decided.get(next++));
        }
        return List.copyOf(outcomes);
    }

    private List<LedgerOutcome> attempt(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> apply(batch, keyHashes));
            } catch (RuntimeException e) {
                KeysRefused refused = find(e, KeysRefused.class);
                if (refused != null) {
                    throw refused;
                }
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
            RoundTrip lock = trips.start();
            RoundTrip.Result<Map<Long, WindowBalance>> windows = store.lockWindows(lock, List.of(), windowIds);
            lock.run();
            LockedLedger locked = new LockedLedger(limits.agentsPerOrg()).windowsLocked(windows.get());
            LedgerWrites writes = LedgerDecider.expire(due, locked, now);
            RoundTrip write = trips.start();
            store.updateWindows(write, writes.windows());
            reservations.updateReservations(write, writes.changedReservations());
            store.insertJournal(write, writes.journal());
            write.run();
            return due.size();
        });
    }

    /** PostgreSQL keeps microseconds; deciding with the same precision makes replays identical. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /**
     * Step 0 of the lock order in {@link LedgerStore} (which unchecked API keys are live; a read,
     * no lock) rides in the batch's first round trip with steps 1 to 3; then lock and load, decide,
     * and step 7, one write of everything decided.
     */
    private List<LedgerOutcome> apply(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        Instant now = now();
        Map<String, byte[]> unchecked = new LinkedHashMap<>();
        for (byte[] hash : keyHashes) {
            if (hash != null) {
                unchecked.putIfAbsent(HexFormat.of().formatHex(hash), hash);
            }
        }
        RoundTrip first = trips.start();
        RoundTrip.Result<Set<String>> live = apiKeys.liveKeyHashes(first, unchecked.values());
        LockedLedger locked = loader.lockAndLoad(batch, now, first);
        if (live.get().size() < unchecked.size()) {
            throw new KeysRefused(refused(keyHashes, live.get()));
        }
        LedgerDecider.Decided decided = LedgerDecider.decide(batch, locked, now);
        write(decided.writes(), now);
        return decided.outcomes();
    }

    private static boolean[] refused(List<byte[]> keyHashes, Set<String> live) {
        boolean[] refused = new boolean[keyHashes.size()];
        for (int i = 0; i < refused.length; i++) {
            byte[] hash = keyHashes.get(i);
            refused[i] = hash != null && !live.contains(HexFormat.of().formatHex(hash));
        }
        return refused;
    }

    /** Step 7: one write of everything decided, in one round trip. */
    private void write(LedgerWrites writes, Instant now) {
        RoundTrip trip = trips.start();
        store.updateWindows(trip, writes.windows());
        alertFiring.fire(trip, writes.windows(), now);
        RoundTrip.Result<Boolean> inserted = reservations.insertReservations(trip, writes.newReservations());
        reservations.updateReservations(trip, writes.changedReservations());
        store.insertJournal(trip, writes.journal());
        spendEvents.addToRollup(trip, writes.rollup());
        spendEvents.recordRefusals(trip, writes.refusals());
        trip.run();
        if (!inserted.get()) {
            throw new IdempotencyRace();
        }
    }

    /** Some of the batch's API keys are no longer live: the transaction rolls back (see {@link #process}). */
    static final class KeysRefused extends RuntimeException {
        final boolean[] refused;

        KeysRefused(boolean[] refused) {
            super("API keys of the batch were revoked", null, false, false);
            this.refused = refused;
        }
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** A concurrent transaction committed the same reservation idempotency key first. */
    static final class IdempotencyRace extends RuntimeException {
        IdempotencyRace() {
            super("idempotency key raced with a concurrent request", null, false, false);
        }
    }

    /** Why a failed batch may be retried as a whole, or null when it may not. */
    static String retryCause(Throwable e) {
        if (find(e, IdempotencyRace.class) != null) {
            return "idempotency_race";
        }
        return SqlFailures.retryCause(e).orElse(null);
    }
}
