package io.kavach.ledger.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The writes that make a batch's decisions true, made once at its end: window counters (the
 * windows whose {@link WindowBalance#changed()} is set), new and changed reservations, journal
 * entries, spend rollup rows and refusal-log rows. Nothing here is written before every command
 * of the batch is decided.
 */
public final class LedgerWrites {

    private final List<WindowBalance> windows;
    private final List<NewReservation> newReservations = new ArrayList<>();
    private final Map<UUID, Reservation> changedReservations = new LinkedHashMap<>();
    private final List<JournalEntry> journal = new ArrayList<>();
    private final List<RollupRow> rollup = new ArrayList<>();
    private final List<RefusalRow> refusals = new ArrayList<>();

    LedgerWrites(List<WindowBalance> windows) {
        this.windows = List.copyOf(windows);
    }

    /** Every window the batch locked; those it changed say so. */
    public List<WindowBalance> windows() {
        return windows;
    }

    public List<NewReservation> newReservations() {
        return List.copyOf(newReservations);
    }

    /** Reservations that moved, each in its last state. */
    public List<Reservation> changedReservations() {
        return List.copyOf(changedReservations.values());
    }

    public List<JournalEntry> journal() {
        return List.copyOf(journal);
    }

    public List<RollupRow> rollup() {
        return List.copyOf(rollup);
    }

    public List<RefusalRow> refusals() {
        return List.copyOf(refusals);
    }

    void insert(NewReservation reservation) {
        newReservations.add(reservation);
    }

    void update(Reservation reservation) {
        changedReservations.put(reservation.id(), reservation);
    }

    void journal(JournalEntry entry) {
        journal.add(entry);
    }

    void rollup(RollupRow row) {
        rollup.add(row);
    }

    void refusal(RefusalRow row) {
        refusals.add(row);
    }
}
