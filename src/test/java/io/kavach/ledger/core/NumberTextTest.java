package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NumberTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1", "0.30000000000000004", "1e-05", "2.5e-06", "1E+16", "4.9e-324",
            "1.7976931348623157e308", "1000000000000", "-1.5", "1e400", "1e-400", "+5", "1_000.5", "0.000000001"})
    void numbersAnSdkCanWriteAreBounded(String text) {
        assertTrue(NumberText.isBounded(text), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e-20000000", "1e-100000000", "1e-900000000", "1e401", "1e-401", "1e+00000000000000401",
            "NaN", "Infinity", "-Infinity", ".inf", "0x1F", "", "-", "1e", "1e+", "1.2.3", "1e5e5", "12a"})
    void hugeExponentsAndNonNumbersAreNot(String text) {
        assertFalse(NumberText.isBounded(text), text);
    }

    @Test
    void digitsAreCountedBeforeAnyConversion() {
        assertTrue(NumberText.isBounded("9".repeat(NumberText.DIGITS_MAX)));
        assertFalse(NumberText.isBounded("9".repeat(NumberText.DIGITS_MAX + 1)));
        assertFalse(NumberText.isBounded("1." + "0".repeat(400)), "a 400-digit mantissa");
        assertTrue(NumberText.isBounded("1e-0000000000000000000000400"), "leading zeros of an exponent do not count");
    }

    /**
     * Seeded property: every bounded number converts and rounds to money cheaply, and every
     * number the bound refuses is cheap to refuse. CPU time of this thread, never wall time.
     */
    @Test
    void boundedNumbersAreCheapToConvertAndRefusedOnesCheapToRefuse() {
        long seed = Long.getLong("hostile.seed", System.nanoTime());
        System.out.println("[NumberTextTest] seed " + seed + " (rerun with -Dhostile.seed=" + seed + ")");
        Random random = new Random(seed);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long slowest = 0;
        int bounded = 0;
        for (int i = 0; i < 20_000; i++) {
            String text = number(random);
            long start = threads.getCurrentThreadCpuTime();
            if (NumberText.isBounded(text)) {
                bounded++;
                BigDecimal value = new BigDecimal(text.replace("_", ""));
                Money.rounded(value.min(Money.INPUT_MAX).max(BigDecimal.ZERO));
            }
            slowest = Math.max(slowest, threads.getCurrentThreadCpuTime() - start);
        }
        System.out.printf("[NumberTextTest] %d of 20000 bounded; slowest check+conversion %.3f ms CPU%n",
                bounded, slowest / 1e6);
        assertTrue(bounded > 1000 && bounded < 19_000, "the generator covers both sides: " + bounded);
        // 1e-20000000 alone took 13.5 s of CPU to round before the bound existed.
        assertTrue(slowest < 500_000_000L, "slowest took " + slowest / 1e6 + " ms of CPU");
    }

    @Test
    void theBoundIsExactlyTheExponentLimit() {
        assertEquals(400, NumberText.EXPONENT_MAX);
        assertTrue(NumberText.isBounded("9".repeat(64) + "e400"));
        assertTrue(NumberText.isBounded("0." + "0".repeat(62) + "1e-400"));
    }

    static String number(Random random) {
        StringBuilder text = new StringBuilder();
        if (random.nextInt(4) == 0) {
            text.append('-');
        }
        int digits = 1 + (random.nextInt(10) == 0 ? random.nextInt(400) : random.nextInt(20));
        for (int i = 0; i < digits; i++) {
            text.append((char) ('0' + random.nextInt(10)));
        }
        if (random.nextBoolean()) {
            text.append('.');
            for (int i = random.nextInt(20) + 1; i > 0; i--) {
                text.append((char) ('0' + random.nextInt(10)));
            }
        }
        if (random.nextInt(3) == 0) {
            text.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "+");
            int exponent = switch (random.nextInt(4)) {
                case 0 -> random.nextInt(10);
                case 1 -> random.nextInt(500);
                case 2 -> random.nextInt(100_000_000);
                default -> random.nextInt(Integer.MAX_VALUE);
            };
            text.append(exponent);
        }
        return text.toString();
    }
}
