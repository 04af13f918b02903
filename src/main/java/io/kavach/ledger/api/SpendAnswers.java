package io.kavach.ledger.api;

import io.kavach.ledger.core.AgentPause;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.LedgerOutcome;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** How spend-path outcomes become HTTP answers (statuses, problem bodies, Retry-After). */
final class SpendAnswers {

    /** The reason of a paused agent's refused reservation or stopped ingest (ADR 0007). */
    static final String AGENT_PAUSED = "agent_paused";

    private SpendAnswers() {
    }

    /** 429 for a refused hold: names the binding budget, what was asked and when to retry. */
    static ProblemException refused(LedgerOutcome.Refused refused) {
        BudgetState binding = refused.binding();
        ProblemException problem = new ProblemException(429, refused.reason(), "Budget exceeded",
                "Reserving " + refused.requested() + " USD would exceed " + binding.key() + " (limit "
                        + binding.limit() + ", spent " + binding.spent() + ", reserved " + binding.reserved()
                        + ", remaining " + binding.remaining() + ")")
                .with("budget", BudgetStateView.of(binding))
                .with("requested", refused.requested().toJsonNumber());
        RateLimitFields.addViolated(problem, binding, List.of(binding), refused.decidedAt());
        return withRetryAfter(problem, refused.retryAfterSeconds());
    }

    /**
     * 429 after an ingest that left an agent of the batch stopped — paused, or with an exhausted
     * applicable budget: the events were recorded all the same. {@code reason} is
     * {@code agent_paused} when an agent is paused, else the scope of the first exhausted budget
     * (org, then pool, then own); {@code reasons} lists every one. To the AgentKavach SDK
     * ({@code toSdk}) {@code reason} is instead a code it stops on ({@link SdkClients}), the
     * truthful one kept in {@code ledger_reason}, {@code reasons} and the detail.
     */
    static ProblemException stopped(LedgerOutcome.Ingested ingested, List<?> rejected, boolean toSdk) {
        List<BudgetState> exhausted = ingested.exhausted();
        Set<String> reasons = new LinkedHashSet<>();
        if (!ingested.paused().isEmpty()) {
            reasons.add(AGENT_PAUSED);
        }
        exhausted.forEach(state -> reasons.add(state.key().scope().exceededReason()));
        String truthful = reasons.iterator().next();
        String reason = toSdk ? SdkClients.stoppingReason(truthful) : truthful;
        List<Map<String, Object>> paused = new ArrayList<>();
        ingested.paused().forEach((agent, pause) -> paused.add(pausedAgent(agent, pause)));
        String detail = ingested.accepted() + " events were recorded; " + stoppedDetail(ingested);
        if (!reason.equals(truthful)) {
            detail += ". Answered as " + reason + " (truthfully " + truthful
                    + ") so that the AgentKavach SDK stops these agents; see docs/sdk-compatibility.md";
        }
        ProblemException problem = new ProblemException(429, reason, "Agent stopped", detail);
        if (!reason.equals(truthful)) {
            problem.with("ledger_reason", truthful);
        }
        problem.with("reasons", List.copyOf(reasons))
                .with("recorded", ingested.accepted())
                .with("duplicates", ingested.duplicates())
                .with("rejected", rejected)
                .with("rejected_agents", ingested.rejectedAgents())
                .with("paused_agents", paused)
                .with("exhausted", exhausted.stream().map(BudgetStateView::of).toList());
        if (!exhausted.isEmpty()) {
            RateLimitFields.addViolated(problem, exhausted.get(0), exhausted, ingested.decidedAt());
        }
        return withRetryAfter(problem, ingested.retryAfterSeconds());
    }

    private static String stoppedDetail(LedgerOutcome.Ingested ingested) {
        List<String> parts = new ArrayList<>();
        ingested.paused().forEach((agent, pause) -> parts.add("agent '" + agent + "' is paused"
                + (pause.reason() == null ? "" : " (" + pause.reason() + ")")));
        if (!ingested.exhausted().isEmpty()) {
            BudgetState first = ingested.exhausted().get(0);
            parts.add(first.key() + " has nothing left (limit " + first.limit() + ", spent " + first.spent()
                    + ", reserved " + first.reserved() + ")");
        }
        return String.join("; ", parts);
    }

    /** 429 for a reservation of a paused agent: nothing was held; it lasts until the agent is resumed. */
    static ProblemException paused(LedgerOutcome.Paused paused) {
        AgentPause pause = paused.pause();
        ProblemException problem = new ProblemException(429, AGENT_PAUSED, "Agent paused",
                "Agent '" + paused.agentName() + "' is paused since " + pause.pausedAt()
                        + (pause.reason() == null ? "" : " (" + pause.reason() + ")")
                        + "; nothing was held. An admin lifts it with POST /v1/agents/{name}/resume");
        // The same members, in the same order, as each of an ingest 429's paused_agents.
        pausedAgent(paused.agentName(), pause).forEach(problem::with);
        return problem;
    }

    private static Map<String, Object> pausedAgent(String agent, AgentPause pause) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("agent", agent);
        view.put("paused_reason", pause.reason());
        view.put("paused_at", pause.pausedAt().toString());
        view.put("paused_until", pause.until() == null ? null : pause.until().toString());
        return view;
    }

    private static ProblemException withRetryAfter(ProblemException problem, OptionalLong seconds) {
        problem.with("retry_after_seconds", seconds.isPresent() ? seconds.getAsLong() : null);
        if (seconds.isPresent()) {
            problem.withHeader("Retry-After", Long.toString(Math.max(1, seconds.getAsLong())));
        }
        return problem;
    }

    /** 401 for a spend whose API key the ledger transaction found revoked: the same as any bad credential. */
    static Response unauthorized() {
        return ProblemMapper.unauthorizedResponse("The credentials were not accepted (invalid, expired or revoked)");
    }

    static ProblemException keyReused(LedgerOutcome.KeyReused reused) {
        return new ProblemException(422, "idempotency_key_reused", "Idempotency key reused",
                "The idempotency key '" + reused.idempotencyKey()
                        + "' was already used with a different request; use a new key for a new request");
    }

    static ProblemException conflict(LedgerOutcome.Conflict conflict) {
        return new ProblemException(409, conflict.reason(), "Reservation conflict", conflict.detail())
                .with("reservation", ReservationView.of(conflict.reservation()));
    }

    static ProblemException notFound(LedgerOutcome.NotFound notFound) {
        return ProblemException.notFound(notFound.what());
    }
}
