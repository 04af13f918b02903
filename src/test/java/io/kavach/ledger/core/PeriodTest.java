package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Windows are computed in one place; these tables pin their edges in UTC and in other zones (ADR 0014). */
class PeriodTest {

    @ParameterizedTest
    @CsvSource({
            "DAILY,   2026-11-28T00:00:00Z,          2026-11-28T00:00:00Z, 2026-11-29T00:00:00Z",
            "DAILY,   2026-11-28T23:59:59.999999Z,   2026-11-28T00:00:00Z, 2026-11-29T00:00:00Z",
            "DAILY,   2026-11-29T00:00:00Z,          2026-11-29T00:00:00Z, 2026-11-30T00:00:00Z",
            "DAILY,   2028-02-29T12:00:00Z,          2028-02-29T00:00:00Z, 2028-03-01T00:00:00Z",
            "MONTHLY, 2026-11-01T00:00:00Z,          2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z",
            "MONTHLY, 2026-11-30T23:59:59.999999Z,   2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z",
            "MONTHLY, 2026-12-31T23:59:59Z,          2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z",
            "MONTHLY, 2027-02-15T08:00:00Z,          2027-02-01T00:00:00Z, 2027-03-01T00:00:00Z",
            "MONTHLY, 2028-02-29T23:59:59Z,          2028-02-01T00:00:00Z, 2028-03-01T00:00:00Z",
    })
    void windowContainsItsInstantAndEndsAtTheNextReset(Period period, Instant at, Instant start, Instant end) {
        Window window = period.windowAt(at, TimeZones.UTC);
        assertEquals(new Window(start, end), window);
        assertTrue(window.contains(at));
        assertFalse(window.contains(end));
        assertTrue(window.contains(start));
    }

    @ParameterizedTest
    @CsvSource({"1970-01-01T00:00:00Z", "2026-11-28T09:30:00Z", "2999-12-31T23:59:59Z"})
    void totalHasOneWindowThatNeverEnds(Instant at) {
        Window window = Period.TOTAL.windowAt(at, TimeZones.UTC);
        assertEquals(new Window(Instant.EPOCH, null), window);
        assertTrue(window.contains(at));
        assertEquals(OptionalLong.empty(), window.secondsUntilEnd(at));
    }

    @ParameterizedTest
    @CsvSource({
            "2026-11-28T23:59:30Z,     30",
            "2026-11-28T23:59:59.001Z, 1",
            "2026-11-28T00:00:00Z,     86400",
    })
    void secondsUntilEndRoundUp(Instant now, long seconds) {
        assertEquals(OptionalLong.of(seconds), Period.DAILY.windowAt(now, TimeZones.UTC).secondsUntilEnd(now));
    }

    @ParameterizedTest
    @CsvSource({"hourly, HOURLY", "daily, DAILY", "monthly, MONTHLY", "total, TOTAL"})
    void wireNamesRoundTrip(String wire, Period period) {
        assertEquals(period, Period.fromWire(wire).orElseThrow());
        assertEquals(wire, period.wireName());
    }

    @ParameterizedTest
    @CsvSource({"weekly", "Daily", "''", "per_run"})
    void unknownPeriodsAreNotPeriods(String wire) {
        assertTrue(Period.fromWire(wire).isEmpty());
    }

    @ParameterizedTest
    @CsvSource({
            // Bengaluru's day starts at 18:30 UTC the day before (UTC+05:30, no DST).
            "DAILY,   Asia/Kolkata,     2026-11-28T18:29:59.999999Z, 2026-11-27T18:30:00Z, 2026-11-28T18:30:00Z",
            "DAILY,   Asia/Kolkata,     2026-11-28T18:30:00Z,        2026-11-28T18:30:00Z, 2026-11-29T18:30:00Z",
            // New York, spring forward (2027-03-14): the day has 23 hours; fall back (2027-11-07): 25.
            "DAILY,   America/New_York, 2027-03-14T12:00:00Z,        2027-03-14T05:00:00Z, 2027-03-15T04:00:00Z",
            "DAILY,   America/New_York, 2027-11-07T12:00:00Z,        2027-11-07T04:00:00Z, 2027-11-08T05:00:00Z",
            // Month ends on the zone's clock: Kolkata's December starts at 18:30 UTC on Nov 30.
            "MONTHLY, Asia/Kolkata,     2026-11-30T18:30:00Z,        2026-11-30T18:30:00Z, 2026-12-31T18:30:00Z",
            "MONTHLY, Asia/Kolkata,     2026-11-30T18:29:59Z,        2026-10-31T18:30:00Z, 2026-11-30T18:30:00Z",
            "MONTHLY, America/New_York, 2027-03-31T12:00:00Z,        2027-03-01T05:00:00Z, 2027-04-01T04:00:00Z",
            "MONTHLY, America/New_York, 2028-02-29T23:00:00Z,        2028-02-01T05:00:00Z, 2028-03-01T05:00:00Z",
            // Hours on the zone's clock: Kolkata's hours start at :30 UTC.
            "HOURLY,  Asia/Kolkata,     2026-11-28T09:45:00Z,        2026-11-28T09:30:00Z, 2026-11-28T10:30:00Z",
            "HOURLY,  UTC,              2026-11-28T09:59:59.999999Z, 2026-11-28T09:00:00Z, 2026-11-28T10:00:00Z",
            // New York, spring forward: 01:00 EST is followed by 03:00 EDT, one real hour later.
            "HOURLY,  America/New_York, 2027-03-14T06:30:00Z,        2027-03-14T06:00:00Z, 2027-03-14T07:00:00Z",
            // Fall back: 01:00-02:00 happens twice; each real hour is its own window.
            "HOURLY,  America/New_York, 2027-11-07T05:30:00Z,        2027-11-07T05:00:00Z, 2027-11-07T06:00:00Z",
            "HOURLY,  America/New_York, 2027-11-07T06:30:00Z,        2027-11-07T06:00:00Z, 2027-11-07T07:00:00Z",
            // Lord Howe falls back half an hour (02:00 +11 -> 01:30 +10:30): 01:00 is shown once, 02:00
            // once, so the 01:00 window is 1.5 h.
            "HOURLY,  Australia/Lord_Howe, 2027-04-03T15:15:00Z,     2027-04-03T14:00:00Z, 2027-04-03T15:30:00Z",
    })
    void windowsFollowTheZonesClockAcrossDstAndMonthEnds(Period period, String zone, Instant at, Instant start,
                                                          Instant end) {
        Window window = period.windowAt(at, ZoneId.of(zone));
        assertEquals(new Window(start, end), window);
        assertTrue(window.contains(at));
    }

    @ParameterizedTest
    @CsvSource({"HOURLY, America/New_York", "DAILY, America/New_York", "DAILY, Asia/Kolkata",
            "MONTHLY, Europe/London", "HOURLY, Australia/Lord_Howe", "DAILY, Pacific/Apia"})
    void consecutiveWindowsTileTheTimeLineAcrossAYear(Period period, String zone) {
        ZoneId id = ZoneId.of(zone);
        Window window = period.windowAt(Instant.parse("2011-01-01T00:00:00Z"), id);
        // 2011 holds Samoa's skipped day (Dec 30) as well as ordinary DST changes.
        while (window.start().isBefore(Instant.parse("2012-01-01T00:00:00Z"))) {
            Window next = period.windowAt(window.end(), id);
            assertEquals(window.end(), next.start(), "gap or overlap after " + window);
            assertEquals(next, period.windowAt(next.end().minusNanos(1000), id));
            window = next;
        }
    }

    @ParameterizedTest
    @CsvSource({"America/New_York, 2027-03-14T12:00:00Z, 23", "America/New_York, 2027-11-07T12:00:00Z, 25",
            "Asia/Kolkata, 2027-03-14T12:00:00Z, 24"})
    void aDstDayIs23Or25Hours(String zone, Instant at, long hours) {
        Window day = Period.DAILY.windowAt(at, ZoneId.of(zone));
        assertEquals(java.time.Duration.ofHours(hours), java.time.Duration.between(day.start(), day.end()));
    }

    @ParameterizedTest
    @CsvSource({"Asia/Kolkata, true", "UTC, true", "America/New_York, true", "+05:30, false", "GMT+5, false",
            "Mars/Olympus, false", "asia/kolkata, false", "'', false"})
    void onlyIanaZoneIdsAreAccepted(String id, boolean accepted) {
        assertEquals(accepted, TimeZones.parse(id).isPresent());
    }

    /**
     * A thread remembers the last window it computed per period: whatever order instants come in,
     * across DST changes and zones, the answer is the one a thread that remembers nothing gives.
     */
    @org.junit.jupiter.api.Test
    void aRememberedWindowIsNeverAnsweredOutsideItself() throws Exception {
        java.util.Random random = new java.util.Random(20261130);
        List<ZoneId> zones = List.of(ZoneId.of("UTC"), ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"),
                ZoneId.of("Australia/Lord_Howe"));
        Instant from = Instant.parse("2026-03-01T00:00:00Z");
        long span = java.time.Duration.ofDays(280).toSeconds();
        for (int i = 0; i < 3_000; i++) {
            // Mostly near the last instant (same or next window), sometimes anywhere: the cache's hits and misses.
            Instant at = random.nextInt(4) == 0 ? from.plusSeconds(random.nextLong(span))
                    : from.plusSeconds(random.nextLong(span / 4000) * 4000 + random.nextInt(7200));
            Period period = Period.values()[random.nextInt(3)];
            ZoneId zone = zones.get(random.nextInt(zones.size()));
            Window remembered = period.windowAt(at, zone);
            java.util.concurrent.atomic.AtomicReference<Window> fresh = new java.util.concurrent.atomic.AtomicReference<>();
            Thread thread = new Thread(() -> fresh.set(period.windowAt(at, zone)));
            thread.start();
            thread.join();
            assertEquals(fresh.get(), remembered, period + " at " + at + " in " + zone);
        }
    }
}
