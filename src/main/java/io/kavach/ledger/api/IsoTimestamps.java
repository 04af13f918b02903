package io.kavach.ledger.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * The timestamp shapes SDKs send — {@code 2026-11-28T09:30:00Z}, {@code …T09:30:00.123456+00:00},
 * and, where the field allows it, no offset at all (read as UTC) — read without the JDK's general
 * date-time parser, which was a sixth of the service's CPU on an ingest batch (one timestamp per
 * event; docs/benchmarks.md). Anything else returns null and is read by the general parser, which
 * gives the same answer for these shapes (IsoTimestampsTest compares the two) and decides every
 * other case, errors included.
 */
final class IsoTimestamps {

    private static final int[] SCALE = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private IsoTimestamps() {
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f…]} followed by {@code Z}, {@code ±HH:mm} or (unless
     * {@code offsetRequired}) nothing; null for any other text or an impossible date or time.
     */
    static Instant parse(String text, boolean offsetRequired) {
        int n = text.length();
        if (n < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < n && text.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return null;
            }
            nanos = digits(text, start, count) * SCALE[9 - count];
        }
        int offsetSeconds;
        if (i == n) {
            if (offsetRequired) {
                return null;
            }
            offsetSeconds = 0;
        } else if (text.charAt(i) == 'Z' && i + 1 == n) {
            offsetSeconds = 0;
        } else if ((text.charAt(i) == '+' || text.charAt(i) == '-') && i + 6 == n && text.charAt(i + 3) == ':') {
            int hours = digits(text, i + 1, 2);
            int minutes = digits(text, i + 4, 2);
            if (hours < 0 || minutes < 0 || hours > 18 || minutes > 59) {
                return null;
            }
            offsetSeconds = (text.charAt(i) == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        } else {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (DateTimeException impossible) {
            return null;
        }
    }

    /** The decimal number of {@code count} digits at {@code from}, or -1 when one is not a digit. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
