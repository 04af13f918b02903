package io.kavach.ledger.core;

import java.util.Arrays;

/** Where a two-phase hold is in its life: pending, then exactly one of committed, released, expired. */
public enum ReservationStatus {
    PENDING("pending"),
    COMMITTED("committed"),
    RELEASED("released"),
    EXPIRED("expired"),
    /** Never held: kept only so a retry with the same idempotency key replays the 429. */
    REJECTED("rejected");

    private final String wireName;

    ReservationStatus(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static ReservationStatus fromWire(String name) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown reservation status " + name));
    }
}
