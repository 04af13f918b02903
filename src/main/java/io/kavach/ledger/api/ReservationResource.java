package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Count;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.api.RequestReader.Text;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SpendService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Two-phase spend for SDKs: reserve before a call, then commit the real cost or release. */
@Path("/v1/reservations")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.SDK)
public class ReservationResource {

    @Inject
    Caller caller;
    @Inject
    SpendService spend;
    @Inject
    Clock clock;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> reserve(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        String agent = request.agentName("agent_name", Presence.REQUIRED);
        Money amount = request.money("amount", Presence.REQUIRED, Amount.POSITIVE);
        String idempotencyKey = request.text("idempotency_key", Presence.OPTIONAL, Text.IDEMPOTENCY_KEY);
        Long ttl = request.count("ttl_seconds", Presence.OPTIONAL,
                Count.between(Reservation.TTL_SECONDS_MIN, Reservation.TTL_SECONDS_MAX));
        String provider = request.text("provider", Presence.OPTIONAL, Text.LABEL);
        String model = request.text("model", Presence.OPTIONAL, Text.LABEL);
        String runId = request.text("run_id", Presence.OPTIONAL, Text.LABEL);
        // What to hold in token budgets (ADR 0015); a requests budget always holds one.
        Long tokens = request.count("tokens", Presence.OPTIONAL, Count.TOKENS);
        Long inputTokens = request.count("input_tokens", Presence.OPTIONAL, Count.TOKENS);
        Long outputTokens = request.count("output_tokens", Presence.OPTIONAL, Count.TOKENS);
        request.rejectUnknown().throwIfInvalid();

        return answer(spend.submit(new LedgerCommand.Reserve(caller.orgId(), agent, amount,
                ttl == null ? Reservation.TTL_SECONDS_DEFAULT : ttl.intValue(), idempotencyKey, provider, model, runId,
                tokens, inputTokens, outputTokens), caller.uncheckedApiKeyHash()));
    }

    @POST
    @Path("/{id}/commit")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> commit(@PathParam("id") String id, JsonNode body) {
        UUID reservationId = reservationId(id);
        RequestReader request = RequestReader.body(body);
        Money cost = request.money("cost", Presence.REQUIRED, Amount.ZERO_OR_MORE);
        Long inputTokens = request.count("input_tokens", Presence.OPTIONAL, Count.TOKENS);
        Long outputTokens = request.count("output_tokens", Presence.OPTIONAL, Count.TOKENS);
        request.rejectUnknown().throwIfInvalid();
        return answer(spend.submit(
                new LedgerCommand.Commit(caller.orgId(), reservationId, cost, inputTokens, outputTokens),
                caller.uncheckedApiKeyHash()));
    }

    /** Release takes no body (an empty JSON object is accepted too). */
    @POST
    @Path("/{id}/release")
    public CompletionStage<Response> release(@PathParam("id") String id) {
        return answer(spend.submit(new LedgerCommand.Release(caller.orgId(), reservationId(id)),
                caller.uncheckedApiKeyHash()));
    }

    @GET
    @Path("/{id}")
    public ReservationView get(@PathParam("id") String id) {
        UUID reservationId = reservationId(id);
        return spend.reservation(caller.orgId(), reservationId).map(ReservationView::of)
                .orElseThrow(() -> ProblemException.notFound("Reservation " + id));
    }

    /** The HTTP answer for a reservation outcome, once its transaction has committed. */
    private CompletionStage<Response> answer(CompletionStage<LedgerOutcome> outcome) {
        return outcome.handle((result, failure) -> {
            if (failure != null) {
                return ProblemMapper.failure(failure);
            }
            if (result instanceof LedgerOutcome.Held held) {
                // Built as a plain header: this runs on the ledger's thread, outside the request
                // context that resolving a relative URI would need.
                Response.ResponseBuilder created = Response.status(Response.Status.CREATED)
                        .header("Location", "/v1/reservations/" + held.reservation().id())
                        .entity(ReservationView.of(held.reservation(), held.budgets()));
                return RateLimitFields.addTightest(created, held.budgets(), clock.instant()).build();
            }
            if (result instanceof LedgerOutcome.Resolved resolved) {
                return Response.ok(ReservationView.of(resolved.reservation())).build();
            }
            if (result instanceof LedgerOutcome.Unauthorized) {
                return SpendAnswers.unauthorized();
            }
            return ProblemMapper.render(problemFor(result));
        });
    }

    private static ProblemException problemFor(LedgerOutcome outcome) {
        if (outcome instanceof LedgerOutcome.Refused refused) {
            return SpendAnswers.refused(refused);
        } else if (outcome instanceof LedgerOutcome.Paused paused) {
            return SpendAnswers.paused(paused);
        } else if (outcome instanceof LedgerOutcome.KeyReused reused) {
            return SpendAnswers.keyReused(reused);
        } else if (outcome instanceof LedgerOutcome.Conflict conflict) {
            return SpendAnswers.conflict(conflict);
        } else if (outcome instanceof LedgerOutcome.NotFound notFound) {
            return SpendAnswers.notFound(notFound);
        } else if (outcome instanceof LedgerOutcome.LimitReached limit) {
            return ProblemMapper.limitReached(limit.limit(), limit.max(), limit.detail());
        }
        throw new IllegalStateException("unexpected reservation outcome " + outcome.getClass().getSimpleName());
    }

    private static UUID reservationId(String id) {
        return Ids.parse(id).orElseThrow(() -> ProblemException.notFound("Reservation " + id));
    }

}
