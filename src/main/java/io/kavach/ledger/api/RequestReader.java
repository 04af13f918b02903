package io.kavach.ledger.api;

import io.kavach.ledger.error.FieldError;
import io.kavach.ledger.error.ProblemException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.ledger.Money;
import io.kavach.ledger.ledger.Names;
import io.kavach.ledger.ledger.Period;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Reads the fields of one JSON object and collects every problem instead of stopping at the
 * first, so a 422 can list them all. Unknown fields are problems too (a typo such as
 * {@code limit} for {@code limit_value} must not be silently ignored) unless the caller says the
 * object is open.
 */
public final class RequestReader {

    private final JsonNode node;
    private final String path;
    private final List<FieldError> errors;
    private final Set<String> known = new LinkedHashSet<>();

    private RequestReader(JsonNode node, String path, List<FieldError> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
    }

    /** A reader of a request body, which must be a JSON object. */
    public static RequestReader body(JsonNode body) {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw ProblemException.badRequest("body_required", "A JSON object body is required");
        }
        if (!body.isObject()) {
            throw ProblemException.validation("(body)", "must be a JSON object");
        }
        return new RequestReader(body, "", new ArrayList<>());
    }

    /** A reader of a nested object; its problems are collected with its parent's. */
    public RequestReader nested(JsonNode child, String childPath) {
        return new RequestReader(child, childPath, errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    public String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public void error(String field, String message) {
        errors.add(new FieldError(path(field), message));
    }

    public boolean has(String field) {
        known.add(field);
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    public JsonNode raw(String field) {
        known.add(field);
        return node.get(field);
    }

    public String string(String field, boolean required, Predicate<String> rule, String ruleMessage) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        String text = value.textValue();
        if (rule != null && !rule.test(text)) {
            error(field, ruleMessage);
            return null;
        }
        return text;
    }

    /** An agent name in its stored (NFC) form; see {@link Names#agentName}. */
    public String agentName(String field, boolean required) {
        String raw = string(field, required, null, null);
        if (raw == null) {
            return null;
        }
        return Names.agentName(raw).orElseGet(() -> {
            error(field, Names.AGENT_NAME_RULE);
            return null;
        });
    }

    /** A list of agent names (each in its stored form), at most {@code sizeMax}. */
    public List<String> agentNames(String field, boolean required, int sizeMax) {
        List<String> raw = strings(field, required, sizeMax, null, null);
        if (raw == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            String itemField = field + "[" + i + "]";
            Names.agentName(raw.get(i)).ifPresentOrElse(names::add, () -> error(itemField, Names.AGENT_NAME_RULE));
        }
        return names;
    }

    /** A USD amount: a JSON number, at most {@link Money#INPUT_MAX}, rounded half-even to 9 places. */
    public Money money(String field, boolean required, boolean mustBePositive) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        return moneyValue(value, field, mustBePositive);
    }

    Money moneyValue(JsonNode value, String field, boolean mustBePositive) {
        if (!value.isNumber()) {
            error(field, "must be a number (USD)");
            return null;
        }
        BigDecimal amount = value.decimalValue();
        if (amount.signum() < 0) {
            error(field, "must not be negative");
            return null;
        }
        if (amount.compareTo(Money.INPUT_MAX) > 0) {
            error(field, "must not exceed " + Money.INPUT_MAX.toPlainString());
            return null;
        }
        Money money = Money.rounded(amount);
        if (mustBePositive && !money.isPositive()) {
            error(field, "must be greater than 0");
            return null;
        }
        return money;
    }

    public Period period(String field, boolean required) {
        String name = string(field, required, null, null);
        if (name == null) {
            return null;
        }
        return Period.fromWire(name).orElseGet(() -> {
            error(field, "must be one of " + String.join(", ", Period.wireNames()));
            return null;
        });
    }

    public Long integer(String field, boolean required, long min, long max) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isIntegralNumber() && !(value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0)) {
            error(field, "must be an integer");
            return null;
        }
        BigDecimal number = value.decimalValue();
        if (number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            error(field, "must be between " + min + " and " + max);
            return null;
        }
        return number.longValueExact();
    }

    public Boolean bool(String field) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            error(field, "must be true or false");
            return null;
        }
        return value.booleanValue();
    }

    public Instant timestamp(String field) {
        String text = string(field, false, null, null);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException again) {
                error(field, "must be an ISO-8601 timestamp with an offset, such as 2026-11-28T09:30:00Z");
                return null;
            }
        }
    }

    /** A list of strings, each checked by {@code rule}; at most {@code sizeMax} entries. */
    public List<String> strings(String field, boolean required, int sizeMax, Predicate<String> rule, String ruleMessage) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isArray()) {
            error(field, "must be an array of strings");
            return null;
        }
        if (value.size() > sizeMax) {
            error(field, "must have at most " + sizeMax + " entries");
            return null;
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemField = field + "[" + i + "]";
            if (!item.isTextual()) {
                error(itemField, "must be a string");
            } else if (rule != null && !rule.test(item.textValue())) {
                error(itemField, ruleMessage);
            } else {
                result.add(item.textValue());
            }
        }
        return result;
    }

    /** Every field not read so far is reported as unknown. */
    public RequestReader rejectUnknown() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                error(name, "is not a known field");
            }
        }
        return this;
    }

    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
    }
}
