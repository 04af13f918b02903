package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.config.ClientInput;
import io.kavach.ledger.config.ConfigYaml;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.NumberText;
import io.kavach.ledger.core.Period;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one vocabulary for reading a request's fields, used by every resource and, event by event,
 * by ingest: money, counts, free text, names, periods, timestamps and kept documents, each with
 * one rule wherever it appears. Every problem is collected instead of stopping at the first, so a
 * 422 lists them all. Unknown fields are problems too (a typo such as {@code limit} for
 * {@code limit_value} must not be silently ignored) when the caller asks, with
 * {@link #rejectUnknown()}; the SDK's wire formats leave them be.
 *
 * <p>Values come from {@link ClientInput}, so a number is already judged on its text: one outside
 * the bound arrives as a refused marker, reported here with the field's path.

 *
 * <p>Over 300 lines on purpose: it is the one vocabulary, and a field kind read anywhere else
 * would be a second rule for the same kind.
 */
public final class RequestReader {

    /** Whether the field must be there; {@code null} counts as absent. */
    public enum Presence { REQUIRED, OPTIONAL }

    /** What an amount of money may be (it is never negative, nor over {@link Money#INPUT_MAX}). */
    public enum Amount { POSITIVE, ZERO_OR_MORE }

    /** How a timestamp may be written. */
    public enum TimestampForm {
        /** ISO-8601 with an offset or {@code Z}. */
        WITH_OFFSET,
        /** With an offset, or without one read as UTC (Python's {@code utcnow().isoformat()}). */
        OFFSET_OR_UTC
    }

    /**
     * A kind of free text: 1 to {@code lengthMax} characters (code points) that obey
     * {@link Names#isCleanText} (no control or bidi characters, no lone surrogate: a NUL never
     * reaches PostgreSQL, a listing never reads differently from what is stored).
     */
    public record Text(int lengthMax, boolean blankAllowed) {
        /** Provider, model and run ids as SDKs send them. */
        public static final Text LABEL = new Text(256, true);
        public static final Text IDEMPOTENCY_KEY = new Text(256, true);
        /** An SDK call status ({@code "error"}). */
        public static final Text STATUS = new Text(32, true);
        /** A name a person gives (an API key's). */
        public static final Text DISPLAY_NAME = new Text(64, false);

        String rule() {
            return "must be 1-" + lengthMax + " characters" + (blankAllowed ? "" : ", not blank")
                    + ", without control or bidirectional-control characters";
        }
    }

    /** A whole number between {@code min} and {@code max}; {@code 12.0} is the whole number 12. */
    public record Count(long min, long max) {
        /** Token counts and durations as SDKs report them. */
        public static final Count TOKENS = new Count(0, 1_000_000_000_000L);
        public static final Count DURATION_MS = new Count(0, 1_000_000_000_000L);

        public static Count between(long min, long max) {
            return new Count(min, max);
        }
    }

    private static final int TIMESTAMP_LENGTH_MAX = 64;

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

    /** A reader of one object whose problems are collected in {@code errors} (an ingest event). */
    public static RequestReader of(JsonNode object, List<FieldError> errors) {
        return new RequestReader(object, "", errors);
    }

    /** A reader of a nested object; its problems are collected with its parent's. */
    public RequestReader nested(JsonNode child, String childPath) {
        return new RequestReader(child, path(childPath), errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The object this reader reads. */
    public JsonNode node() {
        return node;
    }

    /** Where this reader's object is in the request ({@code budgets[2]}; "" for the body). */
    public String where() {
        return path;
    }

    /**
     * The entries of {@code list} (the array at {@code field}) that are objects, each as a nested
     * reader at {@code field[i]}; every other entry is reported as {@code "must be " + shape}.
     */
    public List<RequestReader> objects(String field, JsonNode list, String shape) {
        List<RequestReader> objects = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String entryPath = field + "[" + i + "]";
            JsonNode entry = list.get(i);
            if (entry.isObject()) {
                objects.add(nested(entry, entryPath));
            } else {
                error(entryPath, "must be " + shape);
            }
        }
        return objects;
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

    /** The field's value, or null when it is absent (an error if required). */
    private JsonNode present(String field, Presence presence) {
        JsonNode value = raw(field);
        if (value == null || value.isNull()) {
            if (presence == Presence.REQUIRED) {
                error(field, "is required");
            }
            return null;
        }
        return value;
    }

    /** The string of a field, or null (absent, or not a string: reported). */
    private String string(String field, Presence presence) {
        JsonNode value = present(field, presence);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        return value.textValue();
    }

    /** Free text of the given kind. */
    public String text(String field, Presence presence, Text kind) {
        String text = string(field, presence);
        if (text == null) {
            return null;
        }
        if (!isText(text, kind)) {
            error(field, kind.rule());
            return null;
        }
        return text;
    }

    static boolean isText(String text, Text kind) {
        if (text.isEmpty() || text.length() > 2 * kind.lengthMax() || !Names.isCleanText(text)) {
            return false;
        }
        int length = text.codePointCount(0, text.length());
        return length <= kind.lengthMax() && (kind.blankAllowed() || !text.isBlank());
    }

    /** One of a fixed set of words ({@code environment}, {@code budget_type}). */
    public String oneOf(String field, Presence presence, Set<String> allowed) {
        String word = string(field, presence);
        if (word == null) {
            return null;
        }
        if (!allowed.contains(word)) {
            error(field, "must be one of " + String.join(", ", new TreeSet<>(allowed)));
            return null;
        }
        return word;
    }

    /** An agent name in its stored (NFC) form; see {@link Names#agentName}. */
    public String agentName(String field, Presence presence) {
        String raw = string(field, presence);
        if (raw == null) {
            return null;
        }
        return Names.agentName(raw).orElseGet(() -> {
            error(field, Names.AGENT_NAME_RULE);
            return null;
        });
    }

    /** A list of agent names (each in its stored form), at most {@code sizeMax}. */
    public List<String> agentNames(String field, Presence presence, int sizeMax) {
        JsonNode value = list(field, presence, sizeMax);
        if (value == null) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            String itemField = field + "[" + i + "]";
            if (!item.isTextual()) {
                error(itemField, "must be a string");
                continue;
            }
            Names.agentName(item.textValue()).ifPresentOrElse(names::add, () -> error(itemField, Names.AGENT_NAME_RULE));
        }
        return names;
    }

    /** A shared pool's name ({@link Names#isPoolName}). */
    public String poolName(String field, Presence presence) {
        String name = string(field, presence);
        if (name == null) {
            return null;
        }
        if (!Names.isPoolName(name)) {
            error(field, Names.POOL_NAME_RULE);
            return null;
        }
        return name;
    }

    public Period period(String field, Presence presence) {
        String name = string(field, presence);
        if (name == null) {
            return null;
        }
        return Period.fromWire(name).orElseGet(() -> {
            error(field, "must be one of " + String.join(", ", Period.wireNames()));
            return null;
        });
    }

    /** A USD amount: a JSON number, at most {@link Money#INPUT_MAX}, rounded half-even to 9 places. */
    public Money money(String field, Presence presence, Amount amount) {
        JsonNode value = present(field, presence);
        if (value == null) {
            return null;
        }
        BigDecimal number = number(field, value, "must be a number (USD)");
        if (number == null) {
            return null;
        }
        if (number.signum() < 0) {
            error(field, "must not be negative");
            return null;
        }
        if (number.compareTo(Money.INPUT_MAX) > 0) {
            error(field, "must not exceed " + Money.INPUT_MAX.toPlainString());
            return null;
        }
        Money money = Money.rounded(number);
        if (amount == Amount.POSITIVE && !money.isPositive()) {
            error(field, "must be greater than 0");
            return null;
        }
        return money;
    }

    /** A whole number within the count's bounds. */
    public Long count(String field, Presence presence, Count count) {
        JsonNode value = present(field, presence);
        if (value == null) {
            return null;
        }
        String rule = "must be a whole number between " + count.min() + " and " + count.max();
        BigDecimal number = number(field, value, rule);
        if (number == null) {
            return null;
        }
        if (number.compareTo(BigDecimal.valueOf(count.min())) < 0 || number.compareTo(BigDecimal.valueOf(count.max())) > 0
                || number.stripTrailingZeros().scale() > 0) {
            error(field, rule);
            return null;
        }
        return number.longValue();
    }

    /**
     * The exact value of a number field, or null with the problem reported. Refused numbers
     * (outside {@link io.kavach.ledger.core.NumberText}'s bound, NaN, Infinity) never get here
     * as values: {@link ClientInput} left a marker in their place.
     */
    private BigDecimal number(String field, JsonNode value, String notANumber) {
        Optional<String> refused = ClientInput.refusedNumber(value);
        if (refused.isPresent()) {
            error(field, refused.get());
            return null;
        }
        if (!value.isNumber()) {
            error(field, notANumber);
            return null;
        }
        if ((value.isDouble() || value.isFloat()) && !Double.isFinite(value.doubleValue())) {
            error(field, NumberText.FINITE_RULE);
            return null;
        }
        return value.decimalValue();
    }

    public Boolean bool(String field, Presence presence) {
        JsonNode value = present(field, presence);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            error(field, "must be true or false");
            return null;
        }
        return value.booleanValue();
    }

    public Instant timestamp(String field, Presence presence, TimestampForm form) {
        String text = string(field, presence);
        if (text == null) {
            return null;
        }
        String rule = "must be an ISO-8601 timestamp" + (form == TimestampForm.WITH_OFFSET ? " with an offset" : "")
                + ", such as 2026-11-28T09:30:00Z";
        if (text.length() > TIMESTAMP_LENGTH_MAX) {
            error(field, rule);
            return null;
        }
        String trimmed = text.trim();
        Instant common = IsoTimestamps.parse(trimmed, form == TimestampForm.WITH_OFFSET);
        if (common != null) {
            return common;
        }
        try {
            return OffsetDateTime.parse(trimmed).toInstant();
        } catch (DateTimeParseException withoutOffset) {
            try {
                return form == TimestampForm.OFFSET_OR_UTC
                        ? LocalDateTime.parse(trimmed).toInstant(ZoneOffset.UTC) : Instant.parse(trimmed);
            } catch (DateTimeException again) {
                error(field, rule);
                return null;
            }
        } catch (DateTimeException outOfRange) {
            error(field, rule);
            return null;
        }
    }

    /** An array of at most {@code sizeMax} entries, or null (absent, or not an array: reported). */
    public JsonNode list(String field, Presence presence, int sizeMax) {
        JsonNode value = present(field, presence);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            error(field, "must be a list");
            return null;
        }
        if (value.size() > sizeMax) {
            error(field, "must have at most " + sizeMax + " entries");
            return null;
        }
        return value;
    }

    /**
     * A value the ledger keeps as it was sent (an SDK's alert configs, guardrails): its strings
     * and field names obey the clean-text rule and its numbers the number bound (and, since it is
     * stored, at most {@link ConfigYaml#NUMBER_DIGITS_MAX} digits before and after the point),
     * each problem at its own path. Returns null when it has any problem (all reported).
     */
    public JsonNode document(String field, JsonNode value) {
        known.add(field);
        List<FieldError> problems = new ArrayList<>(ClientInput.documentProblems(value, path(field)));
        // Kept as jsonb, which writes numbers out in full: short text such as 1e300 would not read back.
        problems.addAll(ConfigYaml.longNumbers(value, path(field)));
        errors.addAll(problems);
        return problems.isEmpty() ? value : null;
    }

    /** Every field not read so far is reported as unknown. */
    public RequestReader rejectUnknown() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                error(Names.isCleanText(name) && name.length() <= 128 ? name : "(field name)", "is not a known field");
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
