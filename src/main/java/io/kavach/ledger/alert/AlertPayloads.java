package io.kavach.ledger.alert;

import io.kavach.ledger.core.AlertRule;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.AlertEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** The bodies each channel receives for one fired alert (docs/alerts.md shows them). */
public final class AlertPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertPayloads() {
    }

    /** The webhook's {@code webhook-id}: the same on every retry, so receivers deduplicate. */
    public static String webhookId(AlertEvent event) {
        return "msg_" + event.id().toString().replace("-", "");
    }

    public static String webhook(AlertEvent event) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "budget.threshold");
        body.put("id", event.id().toString());
        body.put("rule_id", event.ruleId().toString());
        ObjectNode budget = body.putObject("budget");
        budget.put("id", event.budgetId().toString());
        budget.put("key", event.budgetKey());
        String[] parts = event.budgetKey().split(":");
        budget.put("scope", parts[0]);
        if (parts.length > 2) {
            budget.put("name", event.budgetKey().substring(parts[0].length() + 1, event.budgetKey().lastIndexOf(':')));
        }
        budget.put("budget_type", "cost");
        budget.put("period", parts[parts.length - 1]);
        budget.put("limit_value", event.limit().stripTrailingZeros());
        budget.put("spent", event.spent().stripTrailingZeros());
        budget.put("reserved", event.reserved().stripTrailingZeros());
        budget.put("remaining", event.limit().subtract(event.spent()).subtract(event.reserved()).stripTrailingZeros());
        budget.put("utilization", utilization(event));
        budget.put("window_start", event.windowStart().toString());
        if (event.windowEnd() != null) {
            budget.put("window_end", event.windowEnd().toString());
        }
        body.put("threshold_pct", event.threshold().stripTrailingZeros());
        body.put("window_start", event.windowStart().toString());
        body.put("fired_at", event.firedAt().toString());
        if (event.kills()) {
            body.put("action", AlertRule.KILL);
        }
        return body.toString();
    }

    public static String slack(AlertEvent event) {
        ObjectNode body = JSON.createObjectNode();
        body.put("text", summary(event));
        return body.toString();
    }

    /** A PagerDuty Events API v2 trigger; the dedup key is the rule and the window, so a retry is one incident. */
    public static String pagerduty(AlertEvent event) {
        ObjectNode body = JSON.createObjectNode();
        body.put("routing_key", event.target());
        body.put("event_action", "trigger");
        body.put("dedup_key", dedupKey(event));
        ObjectNode payload = body.putObject("payload");
        payload.put("summary", summary(event));
        payload.put("source", "kavach-ledger");
        payload.put("severity", event.threshold().compareTo(BigDecimal.ONE) >= 0 ? "critical"
                : event.threshold().compareTo(new BigDecimal("0.9")) >= 0 ? "error" : "warning");
        payload.put("timestamp", event.firedAt().toString());
        ObjectNode details = payload.putObject("custom_details");
        details.put("budget_key", event.budgetKey());
        details.put("limit_value", event.limit().stripTrailingZeros());
        details.put("spent", event.spent().stripTrailingZeros());
        details.put("threshold_pct", event.threshold().stripTrailingZeros());
        details.put("window_start", event.windowStart().toString());
        return body.toString();
    }

    public static String emailSubject(AlertEvent event) {
        return "kavach-ledger: " + event.budgetKey() + " reached "
                + event.threshold().movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    /** The summary, then the webhook's JSON for whoever wants the numbers. */
    public static String emailText(AlertEvent event) {
        return summary(event) + ".\n\nAlert " + event.id() + ", rule " + event.ruleId() + ", fired at " + event.firedAt()
                + ".\n\n" + webhook(event) + "\n";
    }

    public static String dedupKey(AlertEvent event) {
        return "kavach:" + event.ruleId() + ":" + event.windowId();
    }

    public static String summary(AlertEvent event) {
        BigDecimal percent = event.threshold().movePointRight(2).stripTrailingZeros();
        return "Budget " + event.budgetKey() + " reached " + percent.toPlainString() + "% of its limit: $"
                + event.spent().stripTrailingZeros().toPlainString() + " spent of $"
                + event.limit().stripTrailingZeros().toPlainString() + " (window from " + event.windowStart() + ")"
                + (event.kills() ? "; its agents are paused" : "");
    }

    private static BigDecimal utilization(AlertEvent event) {
        return event.spent().add(event.reserved()).divide(event.limit(), 4, RoundingMode.HALF_EVEN).stripTrailingZeros();
    }
}
