package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.kavach.ledger.config.ClientInput;
import io.kavach.ledger.error.FieldError;
import io.kavach.ledger.error.ProblemException;
import io.kavach.ledger.ledger.LedgerCommand;
import io.kavach.ledger.ledger.LedgerOutcome;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SpendService;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import io.smallrye.common.annotation.Blocking;

/**
 * Spend that already happened, wire-compatible with the AgentKavach SDK's exporter: gzipped
 * {@code {"events":[…]}} batches. Valid events are booked even when batch-mates are invalid;
 * the answer is 202, or 429 once any applicable budget is exhausted (the events still count).
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
    public CompletionStage<Response> ingest(InputStream body, @HeaderParam("Content-Encoding") String contentEncoding) {
        EventReader.Batch batch = read(body, contentEncoding);
        if (batch.events().isEmpty()) {
            List<FieldError> errors = new ArrayList<>();
            for (EventReader.Rejected rejected : batch.rejected()) {
                rejected.errors().forEach(e -> errors.add(
                        new FieldError("events[" + rejected.index() + "]." + e.field(), e.message())));
            }
            throw ProblemException.validation(errors).with("rejected", batch.rejected());
        }
        return spend.submit(new LedgerCommand.Ingest(caller.orgId(), batch.events()), caller.uncheckedApiKeyHash())
                .handle((outcome, failure) -> {
            if (failure != null) {
                return ProblemMapper.failure(failure);
            }
            if (outcome instanceof LedgerOutcome.Unauthorized) {
                return SpendAnswers.unauthorized();
            }
            if (outcome instanceof LedgerOutcome.LimitReached limit) {
                return ProblemMapper.render(ProblemMapper.limitReached(limit.limit(), limit.max(), limit.detail()));
            }
            LedgerOutcome.Ingested ingested = (LedgerOutcome.Ingested) outcome;
            if (!ingested.exhausted().isEmpty()) {
                return ProblemMapper.render(SpendAnswers.exhausted(ingested, batch.rejected()));
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("accepted", ingested.accepted());
            answer.put("duplicates", ingested.duplicates());
            answer.put("rejected", batch.rejected());
            return Response.accepted(answer).build();
        });
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
