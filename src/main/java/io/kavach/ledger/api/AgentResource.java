package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.config.ConfigYaml;
import io.kavach.ledger.core.AgentPause;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.AgentService;
import io.kavach.ledger.service.AgentService.AgentPage;
import io.kavach.ledger.service.AgentService.BudgetStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Agents: what applies to each, their own budgets, pause and resume, and the pool-state read the SDK may call. */
@Path("/v1/agents")
@Produces(MediaType.APPLICATION_JSON)
public class AgentResource {

    public static final int PAGE_SIZE_DEFAULT = 100;
    public static final int PAGE_SIZE_MAX = 1000;
    /** A pause body holds one short reason. */
    static final int PAUSE_BODY_BYTES_MAX = 4096;
    private static final RequestReader.Text PAUSE_REASON = new RequestReader.Text(AgentPause.REASON_LENGTH_MAX, false);

    @Inject
    Caller caller;
    @Inject
    AgentService agents;
    @Inject
    ObjectMapper json;

    public record AgentView(String name, List<BudgetStateView> budgets, JsonNode sdkConfig, boolean paused,
                            @JsonInclude(JsonInclude.Include.ALWAYS) String pausedReason,
                            @JsonInclude(JsonInclude.Include.ALWAYS) Instant pausedAt,
                            @JsonInclude(JsonInclude.Include.ALWAYS) Instant pausedUntil) {
    }

    public record AgentListView(List<AgentView> agents, boolean hasMore) {
    }

    public record OwnBudgetsView(String agent, List<BudgetStateView> budgets) {
    }

    public record BudgetStatusView(
            String agent,
            boolean allowed,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal remaining,
            @JsonInclude(JsonInclude.Include.ALWAYS) String binding,
            List<BudgetStateView> budgets,
            boolean paused,
            @JsonInclude(JsonInclude.Include.ALWAYS) String pausedReason,
            @JsonInclude(JsonInclude.Include.ALWAYS) Instant pausedAt,
            @JsonInclude(JsonInclude.Include.ALWAYS) Instant pausedUntil) {

        static BudgetStatusView of(BudgetStatus status) {
            AgentPause pause = status.pause();
            return new BudgetStatusView(status.agent(), status.allowed(),
                    status.remaining() == null ? null : status.remaining().toJsonNumber(),
                    status.binding() == null ? null : status.binding().toString(),
                    status.budgets().stream().map(BudgetStateView::of).toList(),
                    pause != null, pause == null ? null : pause.reason(), pause == null ? null : pause.pausedAt(),
                    pause == null ? null : pause.until());
        }
    }

    /**
     * Agents sorted by name. {@code limit} (1-1000, default 100) per page; pass the last name of a
     * page as {@code starting_after} for the next one while {@code has_more} is true.
     */
    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public AgentListView list(@QueryParam("limit") String limit, @QueryParam("starting_after") String startingAfter) {
        List<FieldError> errors = new ArrayList<>();
        int size = PAGE_SIZE_DEFAULT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > PAGE_SIZE_MAX) {
                errors.add(new FieldError("limit", "must be an integer between 1 and " + PAGE_SIZE_MAX));
            }
        }
        String after = startingAfter == null ? null : Names.agentName(startingAfter).orElse(null);
        if (startingAfter != null && after == null) {
            errors.add(new FieldError("starting_after", "must be an agent name (" + Names.AGENT_NAME_RULE + ")"));
        }
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
        AgentPage page = agents.list(caller.orgId(), after, size);
        return new AgentListView(page.agents().stream().map(a -> new AgentView(a.name(),
                a.budgets().stream().map(BudgetStateView::of).toList(),
                ConfigYaml.readStoredJson(a.sdkConfigJson()), a.pause() != null,
                a.pause() == null ? null : a.pause().reason(),
                a.pause() == null ? null : a.pause().pausedAt(),
                a.pause() == null ? null : a.pause().until())).toList(), page.hasMore());
    }

    /** An agent's own budgets: one per type, period and filter, at most this many. */
    static final int OWN_BUDGETS_MAX = 32;

    /**
     * Replaces the agent's own budgets: {"budgets":[{"period":"daily","limit_value":25}, ...]},
     * one per type, period and filter.
     */
    @PUT
    @Path("/{name}/budgets")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public OwnBudgetsView replaceOwnBudgets(@PathParam("name") String name, JsonNode body) {
        String agent = agentName(name);
        RequestReader request = RequestReader.body(body);
        JsonNode list = request.raw("budgets");
        Map<BudgetKey, BudgetSpec> wanted = new java.util.LinkedHashMap<>();
        if (list == null || list.isNull()) {
            request.error("budgets", "is required (an empty list removes every own budget)");
        } else if (!list.isArray()) {
            request.error("budgets", "must be a list of {period, limit_value}");
        } else if (list.size() > OWN_BUDGETS_MAX) {
            request.error("budgets", "must have at most " + OWN_BUDGETS_MAX + " budgets");
        } else {
            for (RequestReader item : request.objects("budgets", list, "an object {period, limit_value}")) {
                BudgetTypes.Kind kind = BudgetTypes.kind(item);
                Period period = item.period("period", Presence.REQUIRED);
                Money limit = BudgetTypes.limit(item, kind);
                ZoneId timezone = BudgetTypes.timezone(item, period);
                item.rejectUnknown();
                BudgetKey key = period == null ? null : kind.of(BudgetKey.agent(agent, period));
                if (key != null && wanted.containsKey(key)) {
                    item.error("period", "duplicate: each budget type, period and filter may appear once");
                } else if (key != null && limit != null) {
                    wanted.put(key, BudgetSpec.of(key, limit, timezone));
                }
            }
        }
        boolean countFromNow = BudgetTypes.countFromNow(request);
        request.rejectUnknown().throwIfInvalid();
        return new OwnBudgetsView(agent, agents.replaceOwnBudgets(caller.orgId(), agent, wanted.values(), countFromNow).stream()
                .map(BudgetStateView::of).toList());
    }

    /**
     * "May this agent spend?": {@code remaining} is the least remaining over every applicable
     * budget (null if none), {@code binding} that budget's key. JWT admin/viewer or an SDK API key.
     */
    @GET
    @Path("/{name}/budget")
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER, Roles.SDK})
    public BudgetStatusView status(@PathParam("name") String name) {
        return BudgetStatusView.of(agents.status(caller.orgId(), agentName(name), caller.uncheckedApiKeyHash()));
    }

    /**
     * The kill switch: {@code {"reason":"runaway loop"}}, or no body at all ({@code curl -X POST}),
     * which is why the body is read here rather than by a {@code @Consumes} method (JAX-RS would
     * refuse a request without Content-Type with 415). From the 200 on, the agent's reservations
     * are refused with 429 {@code agent_paused} and its ingests, still booked, answer the 429 that
     * stops the AgentKavach SDK (ADR 0007). The agent is created if it does not exist yet. Pausing
     * again keeps {@code paused_at} and takes the new reason.
     */
    @POST
    @Path("/{name}/pause")
    @RolesAllowed(Roles.ADMIN)
    public BudgetStatusView pause(@PathParam("name") String name,
                                  @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, byte[] body)
            throws IOException {
        String agent = agentName(name);
        String reason = null;
        if (body != null && body.length > 0) {
            if (!isJson(contentType)) {
                throw new NotSupportedException();
            }
            RequestReader request = RequestReader.body(JsonBodyReader.read(new ByteArrayInputStream(body),
                    PAUSE_BODY_BYTES_MAX));
            reason = request.text("reason", RequestReader.Presence.OPTIONAL, PAUSE_REASON);
            request.rejectUnknown().throwIfInvalid();
        }
        return BudgetStatusView.of(agents.pause(caller.orgId(), agent, reason));
    }

    /** Lifts the pause; repeatable. 404 for an agent that does not exist. */
    @POST
    @Path("/{name}/resume")
    @RolesAllowed(Roles.ADMIN)
    public BudgetStatusView resume(@PathParam("name") String name) {
        String agent = agentName(name);
        return agents.resume(caller.orgId(), agent).map(BudgetStatusView::of)
                .orElseThrow(() -> ProblemException.notFound("Agent " + agent));
    }

    private static boolean isJson(String contentType) {
        try {
            return contentType != null && MediaType.valueOf(contentType).isCompatible(MediaType.APPLICATION_JSON_TYPE);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String agentName(String name) {
        return Names.agentName(name).orElseThrow(() -> ProblemException.validation("name", Names.AGENT_NAME_RULE));
    }
}
