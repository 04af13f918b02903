package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.OrgBudgetService;
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
import java.net.URI;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Org budgets: caps that cover every agent of the caller's org (the seed's curl lands here). */
@Path("/v1/org/budgets")
@Produces(MediaType.APPLICATION_JSON)
public class OrgBudgetResource {

    @Inject
    Caller caller;
    @Inject
    OrgBudgetService budgets;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response create(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        BudgetTypes.Kind kind = BudgetTypes.kind(request);
        Period period = request.period("period", Presence.REQUIRED);
        Money limit = BudgetTypes.limit(request, kind);
        ZoneId timezone = BudgetTypes.timezone(request, period);
        boolean countFromNow = BudgetTypes.countFromNow(request);
        request.rejectUnknown().throwIfInvalid();
        BudgetState created = budgets.create(caller.orgId(), kind.of(BudgetKey.org(period)), limit, timezone,
                countFromNow);
        return Response.created(URI.create("/v1/org/budgets/" + created.budgetId()))
                .entity(BudgetStateView.of(created)).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, List<BudgetStateView>> list() {
        return Map.of("budgets", budgets.list(caller.orgId()).stream().map(BudgetStateView::of).toList());
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public BudgetStateView get(@PathParam("id") String id) {
        return BudgetStateView.of(budgets.get(caller.orgId(), budgetId(id)));
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public BudgetStateView update(@PathParam("id") String id, JsonNode body) {
        UUID budgetId = budgetId(id);
        RequestReader request = RequestReader.body(body);
        Money limit = request.money("limit_value", Presence.REQUIRED, Amount.POSITIVE);
        // A count budget's limit must stay whole: checked against the budget's type in the service.
        ZoneId timezone = request.has("timezone") ? BudgetTypes.timezone(request, null) : null;
        request.rejectUnknown().throwIfInvalid();
        return BudgetStateView.of(budgets.update(caller.orgId(), budgetId, limit, timezone));
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    public Response delete(@PathParam("id") String id) {
        budgets.delete(caller.orgId(), budgetId(id));
        return Response.noContent().build();
    }

    private static UUID budgetId(String id) {
        return Ids.parse(id).orElseThrow(() -> ProblemException.notFound("Org budget " + id));
    }
}
