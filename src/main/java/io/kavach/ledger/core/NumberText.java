package io.kavach.ledger.core;

/**
 * The bound on every number a client sends, judged on its text before any arithmetic: at most
 * {@link #DIGITS_MAX} digits and an exponent within ±{@link #EXPONENT_MAX}. Exact decimal
 * arithmetic costs time in the size of the exponent ({@code 1e-100000000} rounded to nine places
 * would take minutes of CPU), so a number is refused as text, in time linear in its length,
 * before it is ever parsed into a {@code BigDecimal}. Every double an SDK can send (down to
 * 4.9e-324, up to 1.8e308) is within the bound; values outside the ledger's own range (money over
 * 1e12, say) are refused later, by the field's rule.
 */
public final class NumberText {

    /** Digits of the mantissa (before and after the point, leading zeros included). */
    public static final int DIGITS_MAX = 64;
    /** The largest exponent, in either direction, written after {@code e}. */
    public static final int EXPONENT_MAX = 400;
    /** The longest text that can hold a bounded number ({@code -}, digits, {@code .}, {@code e-400}). */
    public static final int TEXT_LENGTH_MAX = DIGITS_MAX + 8;

    public static final String RULE = "must be a number of at most " + DIGITS_MAX
            + " digits with an exponent between -" + EXPONENT_MAX + " and " + EXPONENT_MAX;
    public static final String FINITE_RULE = "must be a finite number (not NaN or Infinity)";

    private NumberText() {
    }

    /**
     * Whether the number written as {@code text} (JSON's grammar; YAML's {@code _} separators and
     * a leading {@code +} are tolerated) is within the bound. Anything that is not a plain decimal
     * number (hex, NaN, text) is not bounded.
     */
    public static boolean isBounded(CharSequence text) {
        int length = text.length();
        if (length == 0 || length > TEXT_LENGTH_MAX * 2) {
            return false;
        }
        int i = 0;
        char first = text.charAt(0);
        if (first == '-' || first == '+') {
            i++;
        }
        int digits = 0;
        boolean point = false;
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.' && !point) {
                point = true;
            } else if (c == '_') {
                continue; // YAML 1.1 digit separator
            } else if (c == 'e' || c == 'E') {
                break;
            } else {
                return false;
            }
        }
        if (digits == 0 || digits > DIGITS_MAX) {
            return false;
        }
        if (i == length) {
            return true;
        }
        // The exponent: an optional sign and at most a few digits (leading zeros do not count).
        i++;
        if (i < length && (text.charAt(i) == '-' || text.charAt(i) == '+')) {
            i++;
        }
        if (i == length) {
            return false;
        }
        int exponent = 0;
        for (; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            exponent = exponent * 10 + (c - '0');
            if (exponent > EXPONENT_MAX) {
                return false;
            }
        }
        return true;
    }
}
