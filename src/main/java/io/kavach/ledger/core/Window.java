package io.kavach.ledger.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/** One period instance of a budget, {@code [start, end)} in UTC; {@code end} is null for total budgets. */
public record Window(Instant start, Instant end) {

    public Window {
        Objects.requireNonNull(start, "start");
        if (end != null && !end.isAfter(start)) {
            throw new IllegalArgumentException("window end " + end + " is not after start " + start);
        }
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(start) && (end == null || instant.isBefore(end));
    }

    /** Whole seconds, rounded up, from {@code now} until this window ends; empty if it never ends. */
    public OptionalLong secondsUntilEnd(Instant now) {
        if (end == null) {
            return OptionalLong.empty();
        }
        Duration left = Duration.between(now, end);
        if (left.isNegative() || left.isZero()) {
            return OptionalLong.of(0);
        }
        long seconds = left.getSeconds() + (left.getNano() > 0 ? 1 : 0);
        return OptionalLong.of(seconds);
    }
}
