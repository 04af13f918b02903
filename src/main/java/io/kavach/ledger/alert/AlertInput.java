package io.kavach.ledger.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.config.ClientInput;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;

/** How alert rule fields are read, the same from the API, the YAML and the SDK's sync. */
public final class AlertInput {

    public static final String THRESHOLD_RULE =
            "must be a fraction 0 < t <= 1 (0.8), as a number or text, or a percentage such as \"80%\"";
    public static final String BUDGET_KEY_RULE =
            "must be a budget key: org:<period>, shared:<pool>:<period> or agent:<agent>:<period>"
                    + " with period hourly, daily, monthly or total";
    public static final int THRESHOLD_TEXT_LENGTH_MAX = 16;
    public static final int EMAIL_LENGTH_MAX = 254;
    public static final int SECRET_LENGTH_MAX = 256;
    private static final Pattern ROUTING_KEY = Pattern.compile("[A-Za-z0-9]{1,64}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[A-Za-z0-9.-]{1,189}\\.[A-Za-z]{2,63}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,9})?|\\.[0-9]{1,9}");

    private AlertInput() {
    }

    /** A threshold as the SDK writes it (a fraction, number or text) or as a percentage ({@code "80%"}). */
    public static Optional<BigDecimal> threshold(JsonNode value) {
        if (value == null || value.isNull() || ClientInput.refusedNumber(value).isPresent()) {
            return Optional.empty();
        }
        BigDecimal fraction;
        if (value.isNumber()) {
            if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
                return Optional.empty();
            }
            fraction = value.decimalValue();
        } else if (value.isTextual()) {
            Optional<BigDecimal> parsed = threshold(value.textValue());
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            fraction = parsed.get();
        } else {
            return Optional.empty();
        }
        return inRange(fraction);
    }

    /** A threshold written as text: {@code "0.8"} or {@code "80%"}. */
    public static Optional<BigDecimal> threshold(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty() || trimmed.length() > THRESHOLD_TEXT_LENGTH_MAX) {
            return Optional.empty();
        }
        boolean percent = trimmed.endsWith("%");
        String digits = percent ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed;
        if (!DECIMAL.matcher(digits).matches()) {
            return Optional.empty();
        }
        BigDecimal number = new BigDecimal(digits);
        return inRange(percent ? number.movePointLeft(2) : number);
    }

    private static Optional<BigDecimal> inRange(BigDecimal fraction) {
        // Nine places: the column's scale. A finer threshold than 1e-9 of a budget means nothing.
        if (fraction.signum() <= 0 || fraction.compareTo(BigDecimal.ONE) > 0 || fraction.stripTrailingZeros().scale() > 9) {
            return Optional.empty();
        }
        return Optional.of(fraction.stripTrailingZeros());
    }

    /** {@code org:daily}, {@code shared:<pool>:<period>}, {@code agent:<agent>:<period>} (agent names may hold colons). */
    public static Optional<BudgetKey> budgetKey(String text) {
        int first = text.indexOf(':');
        int last = text.lastIndexOf(':');
        if (first < 0) {
            return Optional.empty();
        }
        Optional<Scope> scope = Scope.fromWire(text.substring(0, first));
        Optional<Period> period = Period.fromWire(text.substring(last + 1));
        if (scope.isEmpty() || period.isEmpty()) {
            return Optional.empty();
        }
        if (scope.get() == Scope.ORG) {
            return first == last ? Optional.of(BudgetKey.org(period.get())) : Optional.empty();
        }
        if (first == last) {
            return Optional.empty();
        }
        String name = text.substring(first + 1, last);
        if (scope.get() == Scope.SHARED) {
            return Names.isPoolName(name) ? Optional.of(BudgetKey.shared(name, period.get())) : Optional.empty();
        }
        return Names.agentName(name).map(agent -> BudgetKey.agent(agent, period.get()));
    }

    public static boolean isRoutingKey(String text) {
        return ROUTING_KEY.matcher(text).matches();
    }

    public static boolean isEmail(String text) {
        return text.length() <= EMAIL_LENGTH_MAX && EMAIL.matcher(text).matches();
    }
}
