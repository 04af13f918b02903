package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.kavach.ledger.config.ClientInput;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SpendService;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Spend that already happened, wire-compatible with the AgentKavach SDK's exporter: gzipped
 * {@code {"events":[…]}} batches. Valid events are booked even when batch-mates are invalid; an
 * event whose idempotency key was used for another event is listed as rejected, never dropped silently;
 * the answer is 202, or 429 once an agent of the batch is paused or any of its applicable budgets
 * is exhausted (the events still count).
 */
@Path("/v1/ingest")
@RolesAllowed(Roles.SDK)
public class IngestResource {

    @Inject
    Caller caller;
    @Inject
    SpendService spend;
    @Inject
    Clock clock;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking // inflating and parsing up to 10 MiB, event by event, is not work for an event-loop thread
    public CompletionStage<Response> ingest(InputStream body, @HeaderParam("Content-Encoding") String contentEncoding,
                                            @HeaderParam("User-Agent") String userAgent) {
        EventReader.Batch batch = read(body, contentEncoding);
        if (batch.events().isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            for (EventReader.Rejected rejected : batch.rejected()) {
                rejected.errors().forEach(e -> errors.add(
                        new FieldError("events[" + rejected.index() + "]." + e.field(), e.message())));
            }
            throw ProblemException.validation(errors).with("rejected", batch.rejected());
        }
        int[] positions = positions(batch);
        return spend.submit(new LedgerCommand.Ingest(caller.orgId(), batch.events()), caller.uncheckedApiKeyHash())
                .handle((outcome, failure) -> {
            if (failure != null) {
                return LedgerUnavailable.ingestFailure(failure);
            }
            if (outcome instanceof LedgerOutcome.Unauthorized) {
                return SpendAnswers.unauthorized();
            }
            if (outcome instanceof LedgerOutcome.LimitReached limit) {
                return ProblemMapper.render(ProblemMapper.limitReached(limit.limit(), limit.max(), limit.detail()));
            }
            LedgerOutcome.Ingested ingested = (LedgerOutcome.Ingested) outcome;
            List<RejectedEvent> rejected = rejected(batch, positions, ingested);
            if (ingested.stopsAgents()) {
                return ProblemMapper.render(SpendAnswers.stopped(ingested, rejected, SdkClients.isSdk(userAgent)));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", ingested.accepted());
            answer.put("duplicates", ingested.duplicates());
            answer.put("rejected", rejected);
            return RateLimitFields.addTightest(Response.accepted(answer), ingested.budgets(), ingested.decidedAt())
                    .build();
        });
    }

    /** An event that was not booked: invalid ({@code reason} absent), or its key reused ({@code idempotency_key_reused}). */
    record RejectedEvent(int index, String reason, List<FieldError> errors) {
    }

    static final String KEY_REUSED = "idempotency_key_reused";
    private static final List<FieldError> KEY_REUSED_ERRORS = List.of(new FieldError("idempotency_key",
            "was already used for an event with another agent_name, cost or timestamp; this event was not booked "
                    + "(send it under a new key if it is another call)"));

    /** The positions in {@code events[]} of the batch's valid events, in order. */
    private static int[] positions(EventReader.Batch batch) {
        Set<Integer> invalid = new HashSet<>();
        batch.rejected().forEach(r -> invalid.add(r.index()));
        int[] positions = new int[batch.events().size()];
        for (int position = 0, next = 0; next < positions.length; position++) {
            if (!invalid.contains(position)) {
                positions[next++] = position;
            }
        }
        return positions;
    }

    /** The invalid events and those whose key was reused, by position in {@code events[]}. */
    private static List<RejectedEvent> rejected(EventReader.Batch batch, int[] positions, LedgerOutcome.Ingested ingested) {
        List<RejectedEvent> rejected = new ArrayList<>();
        batch.rejected().forEach(r -> rejected.add(new RejectedEvent(r.index(), null, r.errors())));
        ingested.keyReused().forEach(i -> rejected.add(new RejectedEvent(positions[i], KEY_REUSED, KEY_REUSED_ERRORS)));
        rejected.sort(Comparator.comparingInt(RejectedEvent::index));
        return rejected;
    }

    /** The batch, streamed from the (inflated) body: no tree of the whole body is ever built. */
    private EventReader.Batch read(InputStream body, String contentEncoding) {
        try (InputStream in = BoundedBody.open(body, contentEncoding, BodyLimits.INGEST_BYTES_MAX,
                BodyLimits.INGEST_INFLATED_BYTES_MAX);
             JsonParser parser = ClientInput.jsonParser(in)) {
            return EventReader.read(parser, clock.instant());
        } catch (StreamConstraintsException e) {
            throw ProblemException.badRequest("malformed_json", "The body exceeds a parsing limit (nesting depth "
                    + ClientInput.NESTING_DEPTH_MAX + ", strings of " + ClientInput.STRING_LENGTH_MAX + " characters)");
        } catch (JsonProcessingException e) {
            throw JsonBodyReader.malformed(e);
        } catch (IOException e) {
            throw ProblemException.badRequest("unreadable_body", "The body could not be read");
        }
    }
}
