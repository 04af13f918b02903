package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Windows are computed in one place; these tables pin their edges in UTC. */
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
        Window window = period.windowAt(at);
        assertEquals(new Window(start, end), window);
        assertTrue(window.contains(at));
        assertFalse(window.contains(end));
        assertTrue(window.contains(start));
    }

    @ParameterizedTest
    @CsvSource({"1970-01-01T00:00:00Z", "2026-11-28T09:30:00Z", "2999-12-31T23:59:59Z"})
    void totalHasOneWindowThatNeverEnds(Instant at) {
        Window window = Period.TOTAL.windowAt(at);
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
        assertEquals(OptionalLong.of(seconds), Period.DAILY.windowAt(now).secondsUntilEnd(now));
    }

    @ParameterizedTest
    @CsvSource({"daily, DAILY", "monthly, MONTHLY", "total, TOTAL"})
    void wireNamesRoundTrip(String wire, Period period) {
        assertEquals(period, Period.fromWire(wire).orElseThrow());
        assertEquals(wire, period.wireName());
    }

    @ParameterizedTest
    @CsvSource({"weekly", "Daily", "''", "per_run"})
    void unknownPeriodsAreNotPeriods(String wire) {
        assertTrue(Period.fromWire(wire).isEmpty());
    }
}
