package io.kavach.ledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast path for common timestamp shapes answers exactly as the JDK's parser, or stands aside. */
class IsoTimestampsTest {

    /** What RequestReader answered before the fast path: the JDK's parsers, or null when they refuse. */
    private static Instant jdk(String text, boolean offsetRequired) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException withoutOffset) {
            try {
                return offsetRequired ? Instant.parse(text) : LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException again) {
                return null;
            }
        }
    }

    private static void sameAsJdk(String text) {
        for (boolean offsetRequired : new boolean[] {true, false}) {
            Instant fast = IsoTimestamps.parse(text, offsetRequired);
            if (fast != null) {
                assertEquals(jdk(text, offsetRequired), fast, text + " (offset required: " + offsetRequired + ")");
            }
        }
    }

    @Test
    void theShapesSdksSendAreReadWithoutTheGeneralParserAndAsItReadsThem() {
        List<String> common = List.of("2026-11-28T09:30:00Z", "2026-11-28T09:30:00.1Z", "2026-11-28T09:30:00.123456Z",
                "2026-11-28T09:30:00.123456789Z", "2026-11-28T09:30:00+05:30", "2026-11-28T09:30:00.5-08:00",
                "2026-02-28T23:59:59.999999+00:00", "2024-02-29T00:00:00-00:00", "2026-11-28T09:30:00+18:00");
        for (String text : common) {
            assertNotNull(IsoTimestamps.parse(text, true), text);
            sameAsJdk(text);
        }
        assertNull(IsoTimestamps.parse("2026-11-28T09:30:00.123456", true), "no offset where one is required");
        assertEquals(Instant.parse("2026-11-28T09:30:00.123456Z"), IsoTimestamps.parse("2026-11-28T09:30:00.123456", false));
    }

    @Test
    void everythingElseIsLeftToTheGeneralParser() {
        List<String> other = List.of("2026-11-28T09:30Z", "2026-11-28 09:30:00Z", "2026-11-28T09:30:00.Z",
                "2026-11-28T09:30:00.1234567890Z", "2026-11-28T24:00:00Z", "2026-11-28T23:59:60Z", "2026-04-31T00:00:00Z",
                "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-28T09:30:00+18:30", "2026-11-28T09:30:00+05",
                "2026-11-28T09:30:00+05:30:00", "+2026-11-28T09:30:00Z", "2026-11-28T09:30:00z", "2026-1a-28T09:30:00Z",
                "2026-11-28T09:30:00Zx", "2026-11-28T09:30:00+05:3x", "20261128T093000Z", "");
        for (String text : other) {
            assertNull(IsoTimestamps.parse(text, false), text);
        }
    }

    @Test
    void randomTimestampsReadTheSameBothWays() {
        Random random = new Random(20261130);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            text.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(10_000), random.nextInt(14),
                    random.nextInt(33), random.nextInt(26), random.nextInt(62), random.nextInt(62)));
            int fraction = random.nextInt(11);
            if (fraction > 0) {
                text.append('.');
                for (int d = 1; d < fraction; d++) {
                    text.append(random.nextInt(10));
                }
            }
            switch (random.nextInt(4)) {
                case 0 -> text.append('Z');
                case 1 -> text.append(String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(20),
                        random.nextInt(61)));
                case 2 -> text.append(String.format("+%02d", random.nextInt(20)));
                default -> { }
            }
            sameAsJdk(text.toString());
        }
    }
}
