package io.kavach.ledger.alert;

import io.kavach.ledger.core.AlertRule;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.core.AlertRule.Channel;
import io.kavach.ledger.alert.AlertRuleService.Draft;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Scope;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the SDK's YAML alert forms from an agentkavach.yaml document: per agent
 * {@code alerts: [{threshold|at, channels: [names], action: kill}]}, with the top-level
 * {@code channels: {<name>: {type, webhook_url|url|routing_key|to, secret}}} (without that
 * section an alert names channel types directly, as the SDK's legacy form does). Each alert
 * watches the agent's own budgets.
 */
public final class ConfigAlerts {

    static final int ALERTS_PER_AGENT_MAX = 100;
    /** Where the SDK's YAML puts each channel type's target. */
    private static final Map<Channel, String> TARGET_FIELD = Map.of(
            Channel.SLACK, "webhook_url", Channel.PAGERDUTY, "routing_key", Channel.WEBHOOK, "url", Channel.EMAIL, "to");

    private ConfigAlerts() {
    }

    /** Drafts of every alert in {@code document}; what cannot be a rule goes to {@code refused}, with its path. */
    public static List<Draft> drafts(JsonNode document, Set<BudgetKey> budgets, List<FieldError> refused) {
        List<Draft> drafts = new ArrayList<>();
        JsonNode agents = document == null ? null : document.get("agents");
        if (agents == null || !agents.isObject()) {
            return drafts;
        }
        JsonNode channels = document.get("channels");
        for (Iterator<Map.Entry<String, JsonNode>> it = agents.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> agent = it.next();
            JsonNode alerts = agent.getValue() == null ? null : agent.getValue().get("alerts");
            Optional<String> name = Names.agentName(agent.getKey());
            if (alerts == null || alerts.isNull() || name.isEmpty()) {
                continue;
            }
            String path = "agents." + agent.getKey() + ".alerts";
            if (!alerts.isArray() || alerts.size() > ALERTS_PER_AGENT_MAX) {
                refused.add(new FieldError(path, "must be a list of at most " + ALERTS_PER_AGENT_MAX + " alerts"));
                continue;
            }
            List<BudgetKey> own = budgets.stream()
                    .filter(k -> k.scope() == Scope.AGENT && k.name().equals(name.get())).toList();
            for (int i = 0; i < alerts.size(); i++) {
                readAlert(alerts.get(i), path + "[" + i + "]", own, channels, drafts, refused);
            }
        }
        return drafts;
    }

    private static void readAlert(JsonNode alert, String path, List<BudgetKey> own, JsonNode channels,
                                  List<Draft> drafts, List<FieldError> refused) {
        if (!alert.isObject()) {
            refused.add(new FieldError(path, "must be a mapping {threshold, channels, action}"));
            return;
        }
        JsonNode thresholdNode = alert.has("threshold") ? alert.get("threshold") : alert.get("at");
        Optional<BigDecimal> threshold = AlertInput.threshold(thresholdNode);
        if (threshold.isEmpty()) {
            refused.add(new FieldError(path + ".threshold", AlertInput.THRESHOLD_RULE));
            return;
        }
        if (own.isEmpty()) {
            refused.add(new FieldError(path, "the agent has no budget in this file for the alert to watch"));
            return;
        }
        List<String> names = new ArrayList<>();
        JsonNode listed = alert.get("channels");
        if (listed == null || listed.isNull()) {
            names.add("email"); // the SDK's default
        } else if (listed.isArray()) {
            listed.forEach(n -> names.add(n.isTextual() ? n.textValue() : ""));
        } else {
            refused.add(new FieldError(path + ".channels", "must be a list of channel names"));
            return;
        }
        JsonNode action = alert.get("action");
        if (action != null && action.isTextual() && AlertRule.KILL.equals(action.textValue()) && !names.contains("kill")) {
            names.add("kill");
        }
        for (int c = 0; c < names.size(); c++) {
            String channelPath = path + ".channels[" + c + "]";
            String channelName = names.get(c);
            Channel type;
            String target = null;
            String secret = null;
            if ("kill".equals(channelName)) {
                type = Channel.KILL;
            } else {
                JsonNode definition = channels != null && channels.isObject() ? channels.get(channelName) : null;
                if (channels != null && channels.isObject() && definition == null) {
                    refused.add(new FieldError(channelPath, "channel " + channelName + " is not defined under channels"));
                    continue;
                }
                String typeName = definition != null && definition.path("type").isTextual()
                        ? definition.get("type").textValue() : channelName;
                type = Channel.fromWire(typeName).orElse(null);
                if (type == null || type == Channel.KILL) {
                    refused.add(new FieldError(channelPath, "channel type must be one of email, pagerduty, slack, webhook"));
                    continue;
                }
                if (definition != null) {
                    target = text(definition.get(TARGET_FIELD.get(type)));
                    secret = type == Channel.WEBHOOK ? text(definition.get("secret")) : null;
                }
            }
            for (BudgetKey key : own) {
                drafts.add(new Draft(key, threshold.get(), type, target, secret, null, "config"));
            }
        }
    }

    private static String text(JsonNode value) {
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            return null;
        }
        String text = value.textValue();
        return text.length() <= TargetGuard.URL_LENGTH_MAX && Names.isCleanText(text) ? text : null;
    }
}
