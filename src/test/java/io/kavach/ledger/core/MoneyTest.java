package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Money is exact to nine places; client input is rounded half-even; JSON shows the shortest exact form. */
class MoneyTest {

    @ParameterizedTest
    @CsvSource({
            "0.30000000000000004, 0.300000000",
            "0.1000000005,        0.100000000",
            "0.1000000015,        0.100000002",
            "0.0000000005,        0.000000000",
            "1e-12,               0.000000000",
            "1E+3,                1000.000000000",
            "123.456789012345,    123.456789012",
    })
    void clientAmountsAreRoundedHalfEvenToNinePlaces(String input, String exact) {
        assertEquals(new BigDecimal(exact), Money.rounded(new BigDecimal(input)).value());
    }

    @ParameterizedTest
    @CsvSource({"500, 500.0", "12.5, 12.5", "0.031, 0.031", "0, 0.0", "-0.4, -0.4", "1000000000000, 1000000000000.0"})
    void jsonNumbersAreShortestExactWithOneDecimalAtLeast(String value, String json) {
        assertEquals(json, Money.of(value).toJsonNumber().toPlainString());
    }

    @Test
    void sumsStayExactWhereDoublesDrift() {
        Money sum = Money.ZERO;
        for (int i = 0; i < 10; i++) {
            sum = sum.plus(Money.of("0.1"));
        }
        assertEquals(Money.of("1"), sum);
        assertEquals(Money.of("0.3"), Money.of("0.1").plus(Money.of("0.2")));
    }

    @Test
    void valuesFromTheLedgerMustAlreadyBeExact() {
        assertThrows(ArithmeticException.class, () -> Money.of(new BigDecimal("0.0000000001")));
    }

    @Test
    void equalityIgnoresScale() {
        assertEquals(Money.of("2.50"), Money.of("2.5"));
        assertEquals(Money.of("2.50").hashCode(), Money.of("2.5").hashCode());
    }
}
