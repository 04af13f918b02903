package io.kavach.ledger.api;

import io.kavach.ledger.core.Bounds;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.PoolState;
import io.kavach.ledger.service.SharedBudgetService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.kavach.ledger.core.BudgetKey;
import java.net.URI;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/** Shared pools: one budget that the listed agents draw from together, across processes and providers. */
@Path("/v1/shared-budgets")
@Produces(MediaType.APPLICATION_JSON)
public class SharedBudgetResource {

    @Inject
    Caller caller;
    @Inject
    SharedBudgetService pools;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response create(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        String name = request.poolName("name", Presence.REQUIRED);
        BudgetTypes.Kind kind = BudgetTypes.kind(request);
        Period period = request.period("period", Presence.REQUIRED);
        Money limit = BudgetTypes.limit(request, kind);
        ZoneId timezone = BudgetTypes.timezone(request, period);
        List<String> agents = agents(request, Presence.OPTIONAL);
        boolean countFromNow = BudgetTypes.countFromNow(request);
        request.rejectUnknown().throwIfInvalid();
        PoolState created = pools.create(caller.orgId(), kind.of(BudgetKey.shared(name, period)), limit, timezone,
                agents == null ? List.of() : agents, countFromNow);
        return Response.created(URI.create("/v1/shared-budgets/" + name)).entity(SharedBudgetView.of(created)).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, List<SharedBudgetView>> list() {
        return Map.of("shared_budgets", pools.list(caller.orgId()).stream().map(SharedBudgetView::of).toList());
    }

    @GET
    @Path("/{name}")
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public SharedBudgetView get(@PathParam("name") String name) {
        return SharedBudgetView.of(pools.get(caller.orgId(), poolName(name)));
    }

    /**
     * Full replace of {@code limit_value} and {@code agents} (and {@code timezone} if sent);
     * {@code period}, if sent, must be the pool's.
     */
    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public SharedBudgetView replace(@PathParam("name") String name, JsonNode body) {
        String pool = poolName(name);
        RequestReader request = RequestReader.body(body);
        boolean kindSent = request.has("budget_type") || request.has("model") || request.has("provider");
        BudgetTypes.Kind kind = BudgetTypes.kind(request);
        Period period = request.period("period", Presence.OPTIONAL);
        Money limit = request.money("limit_value", Presence.REQUIRED, Amount.POSITIVE);
        ZoneId timezone = request.has("timezone") ? BudgetTypes.timezone(request, period) : null;
        List<String> agents = agents(request, Presence.REQUIRED);
        request.rejectUnknown().throwIfInvalid();
        return SharedBudgetView.of(pools.replace(caller.orgId(), pool, period,
                kindSent ? key -> kind.of(key).equals(key) : null, limit, timezone, agents));
    }

    @DELETE
    @Path("/{name}")
    @RolesAllowed(Roles.ADMIN)
    public Response delete(@PathParam("name") String name) {
        pools.delete(caller.orgId(), poolName(name));
        return Response.noContent().build();
    }

    @PUT
    @Path("/{name}/agents/{agent}")
    @RolesAllowed(Roles.ADMIN)
    public Response addMember(@PathParam("name") String name, @PathParam("agent") String agent) {
        String pool = poolName(name);
        pools.addMember(caller.orgId(), pool, agentName(agent));
        return Response.noContent().build();
    }

    @DELETE
    @Path("/{name}/agents/{agent}")
    @RolesAllowed(Roles.ADMIN)
    public Response removeMember(@PathParam("name") String name, @PathParam("agent") String agent) {
        String pool = poolName(name);
        pools.removeMember(caller.orgId(), pool, agentName(agent));
        return Response.noContent().build();
    }

    private static List<String> agents(RequestReader request, Presence presence) {
        return request.agentNames("agents", presence, Bounds.POOL_MEMBERS_MAX);
    }

    /** A name no pool could have cannot name an existing pool: 404, like any other missing pool. */
    private static String poolName(String name) {
        if (!Names.isPoolName(name)) {
            throw ProblemException.notFound("Shared budget " + name);
        }
        return name;
    }

    private static String agentName(String agent) {
        return Names.agentName(agent).orElseThrow(() -> ProblemException.validation("agent", Names.AGENT_NAME_RULE));
    }
}
