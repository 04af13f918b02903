package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.alert.AlertDeliveries;
import io.kavach.ledger.alert.AlertInput;
import io.kavach.ledger.core.AlertRule;
import io.kavach.ledger.core.AlertRule.Channel;
import io.kavach.ledger.alert.AlertRuleService;
import io.kavach.ledger.alert.AlertRuleService.Created;
import io.kavach.ledger.alert.AlertRuleService.Draft;
import io.kavach.ledger.api.RequestReader.Presence;
import io.kavach.ledger.api.RequestReader.Text;
import io.kavach.ledger.core.AlertEvent;
import io.kavach.ledger.core.AlertEvent.Attempt;
import io.kavach.ledger.alert.TargetGuard;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** Alert rules (admin writes, viewers read) and the log of every delivery attempt. */
@Path("/v1/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertResource {

    static final int PAGE_SIZE_MAX = 100;
    static final int PAGE_SIZE_DEFAULT = 50;
    private static final Text BUDGET_KEY = new Text(200, false);
    private static final Text TARGET = new Text(TargetGuard.URL_LENGTH_MAX, false);
    private static final Text SECRET = new Text(AlertInput.SECRET_LENGTH_MAX, false);
    private static final Set<String> CHANNELS = Arrays.stream(Channel.values()).map(Channel::wireName).collect(Collectors.toSet());

    @Inject
    Caller caller;
    @Inject
    AlertRuleService rules;
    @Inject
    AlertDeliveries deliveries;

    /** A rule as shown: never its secret. */
    public record RuleView(UUID id, String budgetKey, BigDecimal thresholdPct, String channel, String target,
                           String action, String source, boolean hasSecret, String createdAt, String secret) {
        static RuleView of(AlertRule rule, String shownSecret) {
            return new RuleView(rule.id(), rule.key().toString(), rule.threshold(), rule.channel().wireName(),
                    shownTarget(rule), rule.action(), rule.source(), rule.secret() != null, rule.createdAt().toString(), shownSecret);
        }

        /**
         * A Slack incoming-webhook URL and a PagerDuty routing key are credentials (whoever holds
         * one can post or page), and rules are listed to viewers: only their start is shown.
         */
        static String shownTarget(AlertRule rule) {
            String target = rule.target();
            if (target == null) {
                return null;
            }
            return switch (rule.channel()) {
                case SLACK -> {
                    int path = target.indexOf('/', target.indexOf("//") + 2);
                    yield (path < 0 ? target : target.substring(0, path)) + "/…";
                }
                case PAGERDUTY -> target.substring(0, Math.min(4, target.length())) + "…";
                default -> target;
            };
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response create(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        String keyText = request.text("budget_key", Presence.REQUIRED, BUDGET_KEY);
        BudgetKey key = null;
        if (keyText != null) {
            key = AlertInput.budgetKey(keyText).orElse(null);
            if (key == null) {
                request.error("budget_key", AlertInput.BUDGET_KEY_RULE);
            }
        }
        BigDecimal threshold = null;
        if (!request.has("threshold_pct")) {
            request.error("threshold_pct", "is required");
        } else {
            threshold = AlertInput.threshold(request.raw("threshold_pct")).orElse(null);
            if (threshold == null) {
                request.error("threshold_pct", AlertInput.THRESHOLD_RULE);
            }
        }
        String channelName = request.oneOf("channel", Presence.REQUIRED, CHANNELS);
        String target = request.text("target", Presence.OPTIONAL, TARGET);
        String secret = request.text("secret", Presence.OPTIONAL, SECRET);
        String action = request.oneOf("action", Presence.OPTIONAL, Set.of(AlertRule.KILL));
        request.rejectUnknown();
        if (channelName != null && (target != null || !request.has("target"))) {
            Draft draft = new Draft(key, threshold, Channel.fromWire(channelName).orElseThrow(), target, secret, action, "api");
            request.errors().addAll(rules.problems(draft, ""));
        }
        request.throwIfInvalid();
        Created created = rules.create(caller.orgId(),
                new Draft(key, threshold, Channel.fromWire(channelName).orElseThrow(), target, secret, action, "api"));
        return Response.created(URI.create("/v1/alerts/" + created.rule().id()))
                .entity(RuleView.of(created.rule(), created.generatedSecret())).build();
    }

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, List<RuleView>> list() {
        return Map.of("alerts", rules.list(caller.orgId()).stream().map(r -> RuleView.of(r, null)).toList());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    public Response delete(@PathParam("id") String id) {
        rules.delete(caller.orgId(), uuid(id, "Alert rule "));
        return Response.noContent().build();
    }

    /** Every fired alert of the org, newest first, with each delivery attempt. */
    @GET
    @Path("/deliveries")
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, Object> deliveries(@QueryParam("limit") String limitText, @QueryParam("starting_after") String startingAfter) {
        int limit = PAGE_SIZE_DEFAULT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > PAGE_SIZE_MAX) {
                throw ProblemException.validation("limit", "must be a whole number between 1 and " + PAGE_SIZE_MAX);
            }
        }
        UUID cursor = null;
        if (startingAfter != null) {
            try {
                cursor = UUID.fromString(startingAfter);
            } catch (IllegalArgumentException e) {
                throw ProblemException.validation("starting_after", "must be the id of an alert from an earlier page");
            }
        }
        AlertDeliveries.Page page = deliveries.page(caller.orgId(), cursor, limit);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deliveries", page.alerts().stream().map(a -> view(a.event(), a.attempts())).toList());
        answer.put("has_more", page.hasMore());
        return answer;
    }

    private static Map<String, Object> view(AlertEvent event, List<Attempt> attempts) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", event.id());
        view.put("rule_id", event.ruleId());
        view.put("budget_key", event.budgetKey());
        view.put("threshold_pct", event.threshold().stripTrailingZeros());
        view.put("channel", event.channel().wireName());
        view.put("window_start", event.windowStart().toString());
        view.put("fired_at", event.firedAt().toString());
        view.put("status", event.status());
        view.put("attempt_count", event.attempts());
        if ("pending".equals(event.status())) {
            view.put("next_attempt_at", event.nextAttemptAt().toString());
        }
        view.put("attempts", attempts.stream().map(a -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("attempt", a.attempt());
            row.put("attempted_at", a.attemptedAt().toString());
            row.put("outcome", a.outcome());
            if (a.httpStatus() != null) {
                row.put("http_status", a.httpStatus());
            }
            row.put("latency_ms", a.latencyMs());
            if (a.error() != null) {
                row.put("error", a.error());
            }
            return row;
        }).toList());
        return view;
    }

    private static UUID uuid(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound(what + id);
        }
    }
}
