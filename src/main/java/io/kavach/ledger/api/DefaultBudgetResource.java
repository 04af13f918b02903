package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.DefaultBudget;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.DefaultBudgetService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The org's default budgets (ADR 0015): what every agent without its own budget of a type and
 * period gets, made on its first spend.
 */
@Path("/v1/org/default-budgets")
@Produces(MediaType.APPLICATION_JSON)
public class DefaultBudgetResource {

    /** One per type and period: 5 types x 4 periods. */
    static final int DEFAULTS_MAX = BudgetType.values().length * Period.values().length;

    @Inject
    Caller caller;
    @Inject
    DefaultBudgetService defaults;

    public record DefaultBudgetView(String budgetType, String period, BigDecimal limitValue, String timezone) {
        static DefaultBudgetView of(DefaultBudget d) {
            return new DefaultBudgetView(d.type().wireName(), d.period().wireName(),
                    d.type().counts() ? d.limit().value().setScale(0, java.math.RoundingMode.UNNECESSARY)
                            : d.limit().toJsonNumber(), d.timezone().getId());
        }
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, List<DefaultBudgetView>> list() {
        return view(defaults.list(caller.orgId()));
    }

    /** Full replace: {"default_budgets":[{"budget_type":"cost","period":"daily","limit_value":20}]}; [] clears it. */
    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Map<String, List<DefaultBudgetView>> replace(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        JsonNode list = request.list("default_budgets", Presence.REQUIRED, DEFAULTS_MAX);
        List<DefaultBudget> wanted = new ArrayList<>();
        for (int i = 0; list != null && i < list.size(); i++) {
            String path = "default_budgets[" + i + "]";
            if (!list.get(i).isObject()) {
                request.error(path, "must be an object {budget_type, period, limit_value, timezone}");
                continue;
            }
            RequestReader item = request.nested(list.get(i), path);
            String type = item.oneOf("budget_type", Presence.OPTIONAL, java.util.Set.copyOf(BudgetType.wireNames()));
            BudgetTypes.Kind kind = new BudgetTypes.Kind(
                    type == null ? BudgetType.COST : BudgetType.fromWire(type).orElseThrow(), null, null);
            Period period = item.period("period", Presence.REQUIRED);
            Money limit = BudgetTypes.limit(item, kind);
            ZoneId timezone = BudgetTypes.timezone(item, period);
            item.rejectUnknown();
            if (period != null && wanted.stream().anyMatch(d -> d.type() == kind.type() && d.period() == period)) {
                item.error("period", "duplicate: one default per budget type and period");
            } else if (period != null && limit != null) {
                wanted.add(new DefaultBudget(kind.type(), period, limit, timezone));
            }
        }
        request.rejectUnknown().throwIfInvalid();
        return view(defaults.replace(caller.orgId(), wanted));
    }

    private static Map<String, List<DefaultBudgetView>> view(List<DefaultBudget> list) {
        return Map.of("default_budgets", list.stream().map(DefaultBudgetView::of).toList());
    }
}
