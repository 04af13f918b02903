package io.kavach.ledger.core;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** How often a budget resets: every day or month at 00:00 UTC, or never. */
public enum Period {
    DAILY("daily"),
    MONTHLY("monthly"),
    TOTAL("total");

    /** A total budget's single window starts at the epoch: it counts all spend, ever. */
    public static final Instant TOTAL_WINDOW_START = Instant.EPOCH;

    private final String wireName;

    Period(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<Period> fromWire(String name) {
        return Arrays.stream(values()).filter(p -> p.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Period::wireName).toList();
    }

    /** The window of this period that contains {@code instant}. The one place windows are computed. */
    public Window windowAt(Instant instant) {
        return switch (this) {
            case DAILY -> {
                Instant start = instant.truncatedTo(ChronoUnit.DAYS);
                yield new Window(start, start.plus(1, ChronoUnit.DAYS));
            }
            case MONTHLY -> {
                LocalDate first = LocalDate.ofInstant(instant, ZoneOffset.UTC).withDayOfMonth(1);
                yield new Window(first.atStartOfDay(ZoneOffset.UTC).toInstant(),
                        first.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            }
            case TOTAL -> new Window(TOTAL_WINDOW_START, null);
        };
    }

    @Override
    public String toString() {
        return wireName;
    }
}
