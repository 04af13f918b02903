package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.error.FieldError;
import io.kavach.ledger.error.ProblemException;
import io.kavach.ledger.ledger.LedgerCommand.SpendEvent;
import io.kavach.ledger.ledger.Money;
import io.kavach.ledger.ledger.Names;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an SDK ingest batch event by event. The SDK's wire format is the contract here, so the
 * reader is lenient where the SDK varies (extra fields are ignored, timestamps with or without
 * an offset, numbers for token counts) and strict where money is concerned. An invalid event is
 * rejected alone; its batch-mates are still booked.
 */
final class EventReader {

    static final int EVENTS_MAX = 5_000;
    /** An event may be at most this far in the future (clock skew), per SPEC. */
    static final Duration FUTURE_SKEW_MAX = Duration.ofMinutes(5);
    /**
     * How old an event may be: the SDK replays buffered batches, but an unbounded past would let
     * one batch create a window per day of history. 35 days covers the previous monthly window.
     */
    static final Duration AGE_MAX = Duration.ofDays(35);
    static final int KEY_LENGTH_MAX = 256;
    static final long COUNT_MAX = 1_000_000_000_000L;

    private EventReader() {
    }

    record Rejected(int index, List<FieldError> errors) {
    }

    record Batch(List<SpendEvent> events, List<Rejected> rejected) {
    }

    static Batch read(JsonNode root, Instant now) {
        if (!root.isObject()) {
            throw ProblemException.validation("(body)", "must be a JSON object {\"events\": [...]}");
        }
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            throw ProblemException.validation("events", "is required and must be an array of events");
        }
        if (events.isEmpty()) {
            throw ProblemException.validation("events", "must contain at least 1 event");
        }
        if (events.size() > EVENTS_MAX) {
            throw new ProblemException(413, "too_many_events", "Too many events",
                    "A batch holds at most " + EVENTS_MAX + " events; this one has " + events.size())
                    .with("errors", List.of(new FieldError("events", "must have at most " + EVENTS_MAX + " events")));
        }
        List<SpendEvent> valid = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            List<FieldError> errors = new ArrayList<>();
            SpendEvent event = event(events.get(i), now, errors);
            if (errors.isEmpty()) {
                valid.add(event);
            } else {
                rejected.add(new Rejected(i, errors));
            }
        }
        return new Batch(valid, rejected);
    }

    private static SpendEvent event(JsonNode node, Instant now, List<FieldError> errors) {
        if (!node.isObject()) {
            errors.add(new FieldError("(event)", "must be a JSON object"));
            return null;
        }
        String agent = agentName(node, errors);
        Money cost = cost(node, errors);
        Instant occurredAt = timestamp(node, now, errors);
        String key = text(node, "idempotency_key", false, KEY_LENGTH_MAX, errors);
        String provider = text(node, "provider", false, ReservationResource.TEXT_LENGTH_MAX, errors);
        String model = text(node, "model", false, ReservationResource.TEXT_LENGTH_MAX, errors);
        String runId = text(node, "run_id", false, ReservationResource.TEXT_LENGTH_MAX, errors);
        String status = text(node, "status", false, 32, errors);
        Long input = count(node, "input_tokens", errors);
        Long output = count(node, "output_tokens", errors);
        Long duration = count(node, "duration_ms", errors);
        if (!errors.isEmpty()) {
            return null;
        }
        return new SpendEvent(agent, cost, occurredAt, key, provider, model, input, output, duration, runId, status);
    }

    private static String text(JsonNode node, String field, boolean required, int lengthMax, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "is required"));
            }
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        String text = value.textValue();
        if (text.isEmpty() || text.length() > lengthMax) {
            errors.add(new FieldError(field, "must be 1-" + lengthMax + " characters"));
            return null;
        }
        return text;
    }

    private static String agentName(JsonNode node, List<FieldError> errors) {
        JsonNode value = node.get("agent_name");
        if (value == null || value.isNull()) {
            errors.add(new FieldError("agent_name", "is required"));
            return null;
        }
        if (!value.isTextual()) {
            errors.add(new FieldError("agent_name", "must be a string"));
            return null;
        }
        return Names.agentName(value.textValue()).orElseGet(() -> {
            errors.add(new FieldError("agent_name", Names.AGENT_NAME_RULE));
            return null;
        });
    }

    private static Money cost(JsonNode node, List<FieldError> errors) {
        JsonNode value = node.get("cost");
        if (value == null || value.isNull()) {
            errors.add(new FieldError("cost", "is required"));
            return null;
        }
        if (!value.isNumber()) {
            errors.add(new FieldError("cost", "must be a number (USD)"));
            return null;
        }
        BigDecimal amount = value.decimalValue();
        if (amount.signum() < 0) {
            errors.add(new FieldError("cost", "must not be negative"));
            return null;
        }
        if (amount.compareTo(Money.INPUT_MAX) > 0) {
            errors.add(new FieldError("cost", "must not exceed " + Money.INPUT_MAX.toPlainString()));
            return null;
        }
        return Money.rounded(amount);
    }

    private static Long count(JsonNode node, String field, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            errors.add(new FieldError(field, "must be a non-negative integer"));
            return null;
        }
        BigDecimal number = value.decimalValue();
        if (number.signum() < 0 || number.compareTo(BigDecimal.valueOf(COUNT_MAX)) > 0
                || number.stripTrailingZeros().scale() > 0) {
            errors.add(new FieldError(field, "must be a non-negative integer up to " + COUNT_MAX));
            return null;
        }
        return number.longValueExact();
    }

    /** ISO-8601 with an offset, or without one (read as UTC, as Python's utcnow().isoformat() sends). */
    private static Instant timestamp(JsonNode node, Instant now, List<FieldError> errors) {
        JsonNode value = node.get("timestamp");
        if (value == null || value.isNull()) {
            return now;
        }
        Instant at = null;
        if (value.isTextual()) {
            String text = value.textValue().trim();
            try {
                at = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException withOffset) {
                try {
                    at = LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
                } catch (DateTimeParseException withoutOffset) {
                    at = null;
                }
            }
        }
        if (at == null) {
            errors.add(new FieldError("timestamp", "must be an ISO-8601 timestamp such as 2026-11-28T09:30:00Z"));
            return null;
        }
        if (at.isAfter(now.plus(FUTURE_SKEW_MAX))) {
            errors.add(new FieldError("timestamp", "is more than 5 minutes in the future"));
            return null;
        }
        if (at.isBefore(now.minus(AGE_MAX))) {
            errors.add(new FieldError("timestamp", "is more than 35 days in the past"));
            return null;
        }
        // PostgreSQL keeps microseconds: the window is chosen with the instant that is stored.
        return at.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }
}
