package io.kavach.ledger.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * An exact amount of USD with nine decimal places (nano-dollars); never binary floating point.
 *
 * <p>Amounts from clients are rounded half-even to nine places on the way in, because SDKs send
 * float artefacts such as {@code 0.30000000000000004}. Every value a client may send is bounded by
 * {@link #INPUT_MAX}; sums inside the ledger may exceed it and stay exact (docs/contract.md, "Limits").
 */
public final class Money implements Comparable<Money> {

    public static final int SCALE = 9;
    /** The largest amount or limit a client may send: absurdly large values are input errors. */
    public static final BigDecimal INPUT_MAX = new BigDecimal("1000000000000");
    public static final Money ZERO = new Money(BigDecimal.ZERO.setScale(SCALE));

    private final BigDecimal value;

    private Money(BigDecimal value) {
        this.value = value;
    }

    /** Wraps a value already exact to nine places (from the database or from ledger arithmetic). */
    public static Money of(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        return new Money(value.setScale(SCALE, RoundingMode.UNNECESSARY));
    }

    /** Rounds a client-supplied amount half-even to nine places. */
    public static Money rounded(BigDecimal value) {
        Objects.requireNonNull(value, "value");
        return new Money(value.setScale(SCALE, RoundingMode.HALF_EVEN));
    }

    public static Money of(String value) {
        return rounded(new BigDecimal(value));
    }

    public BigDecimal value() {
        return value;
    }

    public Money plus(Money other) {
        return new Money(value.add(other.value));
    }

    public Money minus(Money other) {
        return new Money(value.subtract(other.value));
    }

    public Money negate() {
        return new Money(value.negate());
    }

    public boolean isNegative() {
        return value.signum() < 0;
    }

    public boolean isPositive() {
        return value.signum() > 0;
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    public static Money min(Money a, Money b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public int compareTo(Money other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Money money && value.compareTo(money.value) == 0;
    }

    @Override
    public int hashCode() {
        return value.stripTrailingZeros().hashCode();
    }

    /** The shortest exact decimal, with at least one fractional digit: 500.0, 12.5, 0.031. */
    public BigDecimal toJsonNumber() {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 1 ? stripped.setScale(1) : stripped;
    }

    @Override
    public String toString() {
        return toJsonNumber().toPlainString();
    }
}
