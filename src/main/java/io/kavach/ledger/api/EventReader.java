package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Count;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.api.RequestReader.Text;
import io.kavach.ledger.api.RequestReader.TimestampForm;
import io.kavach.ledger.config.ClientInput;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import io.kavach.ledger.core.Money;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads an SDK ingest batch as a stream, one event at a time: the body is never held as a tree,
 * parsing stops at event {@value #EVENTS_MAX} + 1 (413 {@code too_many_events}), and each event
 * keeps only the fields the ledger uses (the SDK's {@code prompt}, say, is skipped unread). The
 * SDK's wire format is the contract here, so an event's unknown fields are ignored and its
 * timestamp may come without an offset; each field is read with the vocabulary every resource
 * uses ({@link RequestReader}). An invalid event is rejected alone; its batch-mates are still
 * booked.
 */
final class EventReader {

    static final int EVENTS_MAX = 5_000;
    /** An event may be at most this far in the future (clock skew), per the ingest contract. */
    static final Duration FUTURE_SKEW_MAX = Duration.ofMinutes(5);
    /**
     * How old an event may be: the SDK replays buffered batches, but an unbounded past would let
     * one batch create a window per day of history. 35 days covers the previous monthly window.
     */
    static final Duration AGE_MAX = Duration.ofDays(35);

    static final String EVENTS = "events";
    /** The fields of an event the ledger reads; every other field is skipped without being decoded. */
    private static final Set<String> FIELDS = Set.of("agent_name", "cost", "timestamp", "idempotency_key", "provider",
            "model", "run_id", "status", "input_tokens", "output_tokens", "duration_ms");

    private EventReader() {
    }

    record Rejected(int index, List<FieldError> errors) {
    }

    record Batch(List<SpendEvent> events, List<Rejected> rejected) {
    }

    /** Reads {@code {"events":[…]}} from the parser; anything else in the envelope is skipped. */
    static Batch read(JsonParser parser, Instant now) throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw ProblemException.badRequest("body_required", "A JSON body {\"events\": [...]} is required");
        }
        if (token != JsonToken.START_OBJECT) {
            throw ProblemException.validation("(body)", "must be a JSON object {\"events\": [...]}");
        }
        Batch batch = null;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            token = parser.nextToken();
            if (EVENTS.equals(name) && token == JsonToken.START_ARRAY) {
                batch = events(parser, now);
            } else {
                parser.skipChildren();
            }
        }
        if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
            throw new JsonParseException(parser, "the body must hold exactly one JSON object");
        }
        if (batch == null) {
            throw ProblemException.validation(EVENTS, "is required and must be an array of events");
        }
        if (batch.events().isEmpty() && batch.rejected().isEmpty()) {
            throw ProblemException.validation(EVENTS, "must contain at least 1 event");
        }
        return batch;
    }

    private static Batch events(JsonParser parser, Instant now) throws IOException {
        List<SpendEvent> valid = new ArrayList<>();
        List<Rejected> rejected = new ArrayList<>();
        int index = 0;
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new JsonParseException(parser, "unexpected end of input");
            }
            if (index == EVENTS_MAX) {
                // Stop here: the rest of the body is never parsed.
                throw new ProblemException(413, "too_many_events", "Too many events",
                        "A batch holds at most " + EVENTS_MAX + " events; this one has more")
                        .with("errors", List.of(new FieldError(EVENTS, "must have at most " + EVENTS_MAX + " events")))
                        .withHeader("Connection", "close");
            }
            List<FieldError> errors = new ArrayList<>();
            SpendEvent event = null;
            if (token == JsonToken.START_OBJECT) {
                event = event(fields(parser), now, errors);
            } else {
                parser.skipChildren();
                errors.add(new FieldError("(event)", "must be a JSON object"));
            }
            if (errors.isEmpty()) {
                valid.add(event);
            } else {
                rejected.add(new Rejected(index, errors));
            }
            index++;
        }
        return new Batch(valid, rejected);
    }

    /**
     * The event's known fields as a flat object. A known field holding an object or array is
     * skipped and kept as an empty object (so its reader reports the wrong type) rather than
     * built: an event never costs more than its scalars.
     */
    private static ObjectNode fields(JsonParser parser) throws IOException {
        ObjectNode event = JsonNodeFactory.instance.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!FIELDS.contains(name)) {
                parser.skipChildren();
            } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                parser.skipChildren();
                event.set(name, JsonNodeFactory.instance.objectNode());
            } else {
                event.set(name, ClientInput.scalar(parser, value));
            }
        }
        return event;
    }

    private static SpendEvent event(ObjectNode node, Instant now, List<FieldError> errors) {
        RequestReader event = RequestReader.of(node, errors);
        String agent = event.agentName("agent_name", Presence.REQUIRED);
        Money cost = event.money("cost", Presence.REQUIRED, Amount.ZERO_OR_MORE);
        Instant occurredAt = occurredAt(event, now);
        String key = event.text("idempotency_key", Presence.OPTIONAL, Text.IDEMPOTENCY_KEY);
        String provider = event.text("provider", Presence.OPTIONAL, Text.LABEL);
        String model = event.text("model", Presence.OPTIONAL, Text.LABEL);
        String runId = event.text("run_id", Presence.OPTIONAL, Text.LABEL);
        String status = event.text("status", Presence.OPTIONAL, Text.STATUS);
        Long input = event.count("input_tokens", Presence.OPTIONAL, Count.TOKENS);
        Long output = event.count("output_tokens", Presence.OPTIONAL, Count.TOKENS);
        Long duration = event.count("duration_ms", Presence.OPTIONAL, Count.DURATION_MS);
        if (!errors.isEmpty()) {
            return null;
        }
        SpendEvent spend = new SpendEvent(agent, cost, occurredAt, key, provider, model, input, output, duration, runId, status);
        // Without a timestamp the event is timed on arrival: a resend arrives later and is still the same event.
        return event.has("timestamp") ? spend : spend.timedOnArrival();
    }

    /** The event's timestamp (now when absent), within the allowed skew and age. */
    private static Instant occurredAt(RequestReader event, Instant now) {
        if (!event.has("timestamp")) {
            return now;
        }
        Instant at = event.timestamp("timestamp", Presence.OPTIONAL, TimestampForm.OFFSET_OR_UTC);
        if (at == null) {
            return null;
        }
        if (at.isAfter(now.plus(FUTURE_SKEW_MAX))) {
            event.error("timestamp", "is more than 5 minutes in the future");
            return null;
        }
        if (at.isBefore(now.minus(AGE_MAX))) {
            event.error("timestamp", "is more than 35 days in the past");
            return null;
        }
        return at; // the SpendEvent cuts it to the microseconds PostgreSQL keeps
    }
}
