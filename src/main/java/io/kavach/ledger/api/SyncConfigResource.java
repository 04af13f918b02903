package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.alert.AlertSync;
import io.kavach.ledger.api.RequestReader.Amount;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.ConfigYaml;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SyncConfigService;
import io.kavach.ledger.service.SyncConfigService.SyncResult;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The AgentKavach SDK's config sync. The payload is the SDK's wire format, so fields this
 * endpoint does not use are ignored rather than refused; the fields it uses are validated.
 */
@Path("/v1/sync-config")
@Produces(MediaType.APPLICATION_JSON)
public class SyncConfigResource {

    public static final int ENTRIES_MAX = 100;
    /** The stored sdk_config of one agent is display data: bounded so it cannot grow the agent row without limit. */
    public static final int SDK_CONFIG_BYTES_MAX = 256 * 1024;
    static final String PER_RUN = "per_run";
    static final String REDACTED = "[redacted]";
    /** Channels whose {@code target} is itself a credential (whoever holds it can post or page). */
    private static final Set<String> CREDENTIAL_TARGETS = Set.of("slack", "pagerduty");

    @Inject
    Caller caller;
    @Inject
    SyncConfigService sync;
    @Inject
    Clock clock;
    @Inject
    AlertSync alertSync;

    public record OrgBudgetView(String key, String action) {
    }

    public record StoredView(int guardrails, int alertConfigs, int orgAlertConfigs, int unenforcedBudgets) {
    }

    /** A budget the SDK asked for: the limit in force, the one requested, and why they differ (kept only). */
    public record RequestView(String key, BigDecimal limitValue, BigDecimal requested, String reason) {
        static RequestView of(SyncConfigService.Request r) {
            return new RequestView(r.key().toString(), r.limit().toJsonNumber(), r.requested().toJsonNumber(), r.reason());
        }
    }

    public record SyncView(String agentName, List<BudgetStateView> budgets, List<ConfigResource.ChangeView> changes,
                           @JsonInclude(JsonInclude.Include.ALWAYS) OrgBudgetView orgBudget, StoredView stored,
                           List<RequestView> applied, List<RequestView> kept,
                           AlertSync.Outcome alerts) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.SDK)
    public SyncView sync(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        String agent = request.agentName("agent_name", Presence.REQUIRED);
        JsonNode budgets = request.list("budgets", Presence.OPTIONAL, ENTRIES_MAX);
        // Kept for display as sent: their text and numbers obey the same rules as any other field.
        JsonNode alertConfigs = kept(request, "alert_configs");
        JsonNode orgAlertConfigs = kept(request, "org_alert_configs");

        SdkBudgets read = readBudgets(request, budgets);
        Map<Period, Money> own = read.own();
        ArrayNode guardrails = read.guardrails();
        ArrayNode unenforced = read.unenforced();

        Period orgPeriod = null;
        Money orgLimit = null;
        JsonNode orgBudget = request.raw("org_budget");
        if (orgBudget != null && !orgBudget.isNull()) {
            if (!orgBudget.isObject()) {
                request.error("org_budget", "must be an object {budget_type, period, limit_value} or null");
            } else {
                RequestReader org = request.nested(orgBudget, "org_budget");
                BudgetTypes.costOnly(org);
                orgPeriod = org.period("period", Presence.REQUIRED);
                orgLimit = org.money("limit_value", Presence.REQUIRED, Amount.POSITIVE);
                request.document("org_budget", orgBudget);
            }
        }
        request.throwIfInvalid();

        ObjectNode stored = JsonNodeFactory.instance.objectNode();
        stored.put("synced_at", clock.instant().toString());
        stored.set("guardrails", guardrails);
        stored.set("unenforced_budgets", unenforced);
        stored.set("alert_configs", withoutCredentials(alertConfigs));
        stored.set("org_alert_configs", withoutCredentials(orgAlertConfigs));
        if (orgBudget != null && !orgBudget.isNull()) {
            stored.set("org_budget", orgBudget);
        }
        String storedJson = ConfigYaml.writeJson(stored);
        if (storedJson.getBytes(StandardCharsets.UTF_8).length > SDK_CONFIG_BYTES_MAX) {
            throw new ProblemException(413, "body_too_large", "Payload too large",
                    "The guardrails and alert configs of one agent may take at most " + SDK_CONFIG_BYTES_MAX + " bytes");
        }

        SyncResult result = sync.sync(caller.orgId(), agent, own, orgPeriod, orgLimit, storedJson);
        List<ConfigResource.ChangeView> changes = new ArrayList<>();
        for (BudgetChange change : result.changes()) {
            changes.add(new ConfigResource.ChangeView(change.action().wireName(), change.key().toString(),
                    ConfigResource.SpecView.of(change.from()), ConfigResource.SpecView.of(change.to())));
        }
        OrgBudgetView org = result.orgBudget() == null ? null : new OrgBudgetView(result.orgBudget().key().toString(),
                result.orgBudget().created() ? "created" : "kept_existing");
        // Alert configs become rules on the agent's budgets and the org budget (docs/alerts.md).
        var alerts = alertSync.fromSdk(caller.orgId(), agent, result.budgets().stream().map(b -> b.key()).toList(),
                alertConfigs, result.orgBudget() == null ? List.of() : List.of(result.orgBudget().key()), orgAlertConfigs);
        return new SyncView(agent, result.budgets().stream().map(BudgetStateView::of).toList(), changes, org,
                new StoredView(guardrails.size(), size(alertConfigs), size(orgAlertConfigs), unenforced.size()),
                result.applied().stream().map(RequestView::of).toList(),
                result.kept().stream().map(RequestView::of).toList(), alerts);
    }

    /** The SDK's budget entries: cost budgets by period (enforced), per-run guardrails, the rest (shown only). */
    private record SdkBudgets(Map<Period, Money> own, ArrayNode guardrails, ArrayNode unenforced) {
    }

    private static SdkBudgets readBudgets(RequestReader request, JsonNode budgets) {
        Map<Period, Money> own = new EnumMap<>(Period.class);
        ArrayNode guardrails = JsonNodeFactory.instance.arrayNode();
        ArrayNode unenforced = JsonNodeFactory.instance.arrayNode();
        if (budgets == null) {
            return new SdkBudgets(own, guardrails, unenforced);
        }
        for (RequestReader item : request.objects("budgets", budgets, "an object {budget_type, period, limit_value, unit}")) {
            JsonNode entry = item.node();
            String path = item.where();
            String type = word(entry.get("budget_type"));
            String period = word(entry.get("period"));
            if (PER_RUN.equals(period)) {
                if (request.document(path, entry) != null) {
                    guardrails.add(entry); // per-run guardrails are enforced by the SDK itself
                }
            } else if ((type == null || BudgetState.COST.equals(type)) && period != null
                    && Period.fromWire(period).isPresent()) {
                Money limit = item.money("limit_value", Presence.REQUIRED, Amount.POSITIVE);
                Period p = Period.fromWire(period).get();
                if (own.containsKey(p)) {
                    item.error("period", "duplicate: each period may appear once among cost budgets");
                } else if (limit != null) {
                    own.put(p, limit);
                }
            } else if (type == null && period == null) {
                item.error("period", "is required");
            } else if (request.document(path, entry) != null) {
                unenforced.add(entry); // token or request budgets, other periods: shown, not enforced (yet)
            }
        }
        return new SdkBudgets(own, guardrails, unenforced);
    }

    /** A list the ledger stores for display: at most {@link #ENTRIES_MAX} entries, clean text, bounded numbers. */
    private static JsonNode kept(RequestReader request, String field) {
        JsonNode value = request.list(field, Presence.OPTIONAL, ENTRIES_MAX);
        return value == null ? null : request.document(field, value);
    }

    /** A string field of an SDK entry as a word to compare, or null when it is anything else. */
    private static String word(JsonNode value) {
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /**
     * The SDK syncs what its cloud needs to deliver alerts: a webhook's signing {@code secret}, a
     * Slack incoming-webhook URL, a PagerDuty routing key. The ledger delivers no alerts and shows
     * these configs to every reader of the org (viewers included), so the credentials are
     * replaced by {@value #REDACTED} before storing; channel, threshold, email recipient and
     * webhook URL stay for display.
     */
    static ArrayNode withoutCredentials(JsonNode alertConfigs) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        if (alertConfigs == null) {
            return out;
        }
        for (JsonNode config : alertConfigs) {
            if (!config.isObject()) {
                out.add(config);
                continue;
            }
            ObjectNode copy = ((ObjectNode) config).deepCopy();
            if (copy.has("secret")) {
                copy.put("secret", REDACTED);
            }
            String channel = copy.path("channel").asText("");
            if (copy.has("target") && CREDENTIAL_TARGETS.contains(channel)) {
                copy.put("target", REDACTED);
            }
            out.add(copy);
        }
        return out;
    }

    private static int size(JsonNode array) {
        return array == null ? 0 : array.size();
    }
}
