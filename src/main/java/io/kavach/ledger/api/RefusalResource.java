package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SpendAnalyticsService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/** The ledger's recent 429s: which agent was refused, why, by which budget, when and how often. */
@Path("/v1/refusals")
@Produces(MediaType.APPLICATION_JSON)
public class RefusalResource {

    @Inject
    Caller caller;
    @Inject
    SpendAnalyticsService analytics;

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, Object> recent(@QueryParam("limit") String limit) {
        int size = SpendAnalyticsService.REFUSALS_DEFAULT;
        if (limit != null) {
            try {
                size = limit.length() > 10 ? -1 : Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > SpendAnalyticsService.REFUSALS_MAX) {
                throw ProblemException.validation(List.of(new FieldError("limit",
                        "must be an integer between 1 and " + SpendAnalyticsService.REFUSALS_MAX)));
            }
        }
        List<ObjectNode> refusals = analytics.recentRefusals(caller.orgId(), size).stream().map(r -> {
            // A JSON tree, so a null budget_key (agent_paused names no budget) is written.
            ObjectNode row = JsonNodeFactory.instance.objectNode();
            row.put("agent", r.agent());
            row.put("kind", r.kind());
            row.put("reason", r.reason());
            row.put("budget_key", r.budgetKey());
            row.put("first_at", r.firstAt().toString());
            row.put("last_at", r.lastAt().toString());
            row.put("count", r.count());
            return row;
        }).toList();
        return Map.of("refusals", refusals);
    }
}
