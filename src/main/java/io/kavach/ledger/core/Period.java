package io.kavach.ledger.core;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How often a budget resets: every hour, day or month on the budget's own clock (its IANA time
 * zone, UTC unless set), or never (ADR 0014).
 */
public enum Period {
    HOURLY("hourly"),
    DAILY("daily"),
    MONTHLY("monthly"),
    TOTAL("total");

    /** A total budget's single window starts at the epoch: it counts all spend, ever. */
    public static final Instant TOTAL_WINDOW_START = Instant.EPOCH;

    private final String wireName;

    /**
     * Per thread and period, the last window computed and its zone. Windows tile the time line, so
     * a window holds for every instant inside it: a batch's bookings, which mostly fall in the same
     * few windows, compute each once (the computation was several percent of an ingest batch).
     */
    private static final ThreadLocal<LastWindow[]> LAST = ThreadLocal.withInitial(() -> new LastWindow[values().length]);

    private record LastWindow(ZoneId zone, Window window) {
        boolean holds(Instant instant, ZoneId at) {
            return zone.equals(at) && !instant.isBefore(window.start()) && instant.isBefore(window.end());
        }
    }

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

    /** Whether this period's windows depend on a time zone (every period but total). */
    public boolean zoned() {
        return this != TOTAL;
    }

    /**
     * The window of this period that contains {@code instant}, on the wall clock of {@code zone}.
     * The one place windows are computed.
     *
     * <p>A window starts each time the zone's clock shows a boundary (the hour, midnight, the 1st
     * at midnight) and lasts until it next shows one; a boundary a DST gap skips falls on the
     * instant the gap ends. So windows tile the time line exactly: a day is 23 or 25 hours across
     * a DST change, and a local hour that happens twice is two hourly windows.
     */
    public Window windowAt(Instant instant, ZoneId zone) {
        if (this == TOTAL) {
            return new Window(TOTAL_WINDOW_START, null);
        }
        LastWindow[] last = LAST.get();
        LastWindow known = last[ordinal()];
        if (known != null && known.holds(instant, zone)) {
            return known.window();
        }
        Window window = compute(instant, zone);
        last[ordinal()] = new LastWindow(zone, window);
        return window;
    }

    private Window compute(Instant instant, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(instant, zone);
        LocalDateTime start = switch (this) {
            case HOURLY -> local.truncatedTo(ChronoUnit.HOURS);
            case DAILY -> local.truncatedTo(ChronoUnit.DAYS);
            case MONTHLY -> local.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
            case TOTAL -> throw new IllegalStateException("unreachable");
        };
        LocalDateTime next = switch (this) {
            case HOURLY -> start.plusHours(1);
            case DAILY -> start.plusDays(1);
            case MONTHLY -> start.plusMonths(1);
            case TOTAL -> throw new IllegalStateException("unreachable");
        };
        ZoneRules rules = zone.getRules();
        if (rules.isFixedOffset()) {
            // UTC and other zones without DST: each boundary is shown exactly once. Every booking
            // computes windows, so this common case skips the search below.
            ZoneOffset offset = rules.getOffset(instant);
            return new Window(start.toInstant(offset), next.toInstant(offset));
        }
        List<Instant> starts = shown(start, zone);
        Instant from = starts.stream().filter(b -> !b.isAfter(instant)).max(Instant::compareTo).orElseThrow();
        Instant until = java.util.stream.Stream.concat(starts.stream(), shown(next, zone).stream())
                .filter(b -> b.isAfter(instant)).min(Instant::compareTo).orElseThrow();
        return new Window(from, until);
    }

    /** Every instant {@code zone}'s clock shows {@code local} (two in a DST overlap); in a gap, the gap's end. */
    private static List<Instant> shown(LocalDateTime local, ZoneId zone) {
        List<java.time.ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            return List.of(ZonedDateTime.ofLocal(local, zone, null).toInstant());
        }
        return offsets.stream().map(local::toInstant).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
