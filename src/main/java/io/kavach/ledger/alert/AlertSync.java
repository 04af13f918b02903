package io.kavach.ledger.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.alert.AlertRuleService.Draft;
import io.kavach.ledger.core.AlertRule;
import io.kavach.ledger.core.AlertRule.Channel;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Rules that other sources own: the SDK's synced alert configs (source {@code sdk}) and the YAML's
 * {@code alerts:} (source {@code config}). Each call makes the source's rules in its scope exactly
 * the desired ones; a rule that stays the same keeps its id, so re-syncing never fires it twice
 * in a window. A config that cannot be a rule (unknown channel, private target, ...) is reported
 * and skipped; it never fails the sync or the apply it rides on.
 */
@ApplicationScoped
public class AlertSync {

    @Inject
    AlertRuleService rules;
    @Inject
    AlertStore store;
    @Inject
    AlertRuleIndex index;
    @Inject
    AlertsConfig config;
    @Inject
    OrgStore orgs;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    Clock clock;

    /** What a sync did to the source's rules. */
    public record Outcome(int active, int created, int removed, List<FieldError> refused) {
    }

    /**
     * The SDK's {@code alert_configs} become rules on each of {@code agentKeys} (the agent's own
     * budgets), its {@code org_alert_configs} rules on {@code orgKeys}; null lists leave that
     * scope's rules as they are.
     */
    public Outcome fromSdk(String orgId, String agent, List<BudgetKey> agentKeys, JsonNode alertConfigs,
                           List<BudgetKey> orgKeys, JsonNode orgAlertConfigs) {
        List<FieldError> refused = new ArrayList<>();
        Map<String, Draft> desired = new LinkedHashMap<>();
        if (alertConfigs != null) {
            drafts(alertConfigs, "alert_configs", agentKeys, refused).forEach(d -> desired.putIfAbsent(identity(d), d));
        }
        if (orgAlertConfigs != null) {
            drafts(orgAlertConfigs, "org_alert_configs", orgKeys, refused).forEach(d -> desired.putIfAbsent(identity(d), d));
        }
        Predicate<AlertRule> owned = rule -> "sdk".equals(rule.source())
                && (alertConfigs != null && rule.key().scope() == Scope.AGENT && agent.equals(rule.key().name())
                || orgAlertConfigs != null && rule.key().scope() == Scope.ORG);
        return replace(orgId, owned, desired, refused);
    }

    /**
     * The YAML's {@code alerts:} (with its {@code channels:}) become the {@code config}-owned rules;
     * a dry run only judges them. {@code budgets} are the budget keys the file declares.
     */
    public Outcome fromConfigDocument(String orgId, JsonNode document, Set<BudgetKey> budgets, boolean dryRun) {
        List<FieldError> refused = new ArrayList<>();
        List<Draft> accepted = new ArrayList<>();
        List<Draft> drafts = ConfigAlerts.drafts(document, budgets, refused);
        for (Draft draft : drafts) {
            if (accept(draft, "agents." + draft.key().name() + ".alerts.", refused)) {
                accepted.add(draft);
            }
        }
        if (dryRun) {
            return new Outcome(accepted.size(), 0, 0, List.copyOf(refused));
        }
        return fromConfig(orgId, accepted, refused);
    }

    /** Replaces the {@code config}-owned rules with {@code desired} (from the YAML's alerts: and channels:). */
    public Outcome fromConfig(String orgId, List<Draft> drafts, List<FieldError> refused) {
        Map<String, Draft> desired = new LinkedHashMap<>();
        drafts.forEach(d -> desired.putIfAbsent(identity(d), d));
        return replace(orgId, rule -> "config".equals(rule.source()), desired, new ArrayList<>(refused));
    }

    /** Judges one draft of another source; its problems go to {@code refused} and it is dropped. */
    public boolean accept(Draft draft, String prefix, List<FieldError> refused) {
        List<FieldError> problems = rules.problems(draft, prefix);
        refused.addAll(problems);
        return problems.isEmpty();
    }

    private List<Draft> drafts(JsonNode configs, String field, List<BudgetKey> keys, List<FieldError> refused) {
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            JsonNode entry = configs.get(i);
            String prefix = field + "[" + i + "].";
            if (!entry.isObject()) {
                refused.add(new FieldError(field + "[" + i + "]", "must be an object {channel, threshold_pct, target}"));
                continue;
            }
            String type = text(entry.get("budget_type"));
            if (type != null && !"cost".equals(type)) {
                continue; // token and duration budgets are not kept by the ledger; nothing to watch
            }
            JsonNode thresholdNode = entry.has("threshold_pct") ? entry.get("threshold_pct")
                    : entry.has("threshold") ? entry.get("threshold") : entry.get("at");
            var threshold = AlertInput.threshold(thresholdNode);
            Channel channel = Channel.fromWire(Objects.requireNonNullElse(text(entry.get("channel")), "")).orElse(null);
            boolean ok = true;
            if (threshold.isEmpty()) {
                refused.add(new FieldError(prefix + "threshold_pct", AlertInput.THRESHOLD_RULE));
                ok = false;
            }
            if (channel == null) {
                refused.add(new FieldError(prefix + "channel", "must be one of email, kill, pagerduty, slack, webhook"));
                ok = false;
            }
            String target = clean(text(entry.get("target")), TargetGuard.URL_LENGTH_MAX);
            String secret = clean(text(entry.get("secret")), AlertInput.SECRET_LENGTH_MAX);
            if (!ok) {
                continue;
            }
            for (BudgetKey key : keys) {
                if (channel == Channel.KILL && key.scope() == Scope.ORG) {
                    refused.add(new FieldError(prefix + "channel", "kill pauses the agents of an agent or pool budget; an org budget's rule cannot kill"));
                    continue;
                }
                Draft draft = new Draft(key, threshold.get(), channel, channel == Channel.KILL ? null : target,
                        channel == Channel.WEBHOOK ? secret : null, null, "sdk");
                if (accept(draft, prefix, refused)) {
                    drafts.add(draft);
                }
            }
        }
        return drafts;
    }

    private Outcome replace(String orgId, Predicate<AlertRule> owned, Map<String, Draft> desired, List<FieldError> refused) {
        Outcome outcome = QuarkusTransaction.requiringNew().call(() -> {
            orgs.ensure(orgId);
            definitions.lockOrg(orgId);
            List<AlertRule> live = store.liveRules(orgId);
            Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
            Map<String, Draft> missing = new LinkedHashMap<>(desired);
            int removed = 0;
            for (AlertRule rule : live) {
                if (!owned.test(rule)) {
                    continue;
                }
                if (missing.remove(identity(rule)) == null) {
                    store.deleteRule(orgId, rule.id(), now);
                    removed++;
                }
            }
            long room = config.rulesPerOrg() - (live.size() - removed);
            int created = 0;
            for (Draft draft : missing.values()) {
                if (created >= room) {
                    refused.add(new FieldError("(alerts)", "the org has " + config.rulesPerOrg()
                            + " alert rules, the most it may have; " + draft.key() + " was not added"));
                    continue;
                }
                store.insertRule(new AlertRule(UUID.randomUUID(), orgId, draft.key(), draft.threshold(), draft.channel(),
                        draft.target(), draft.secret(), draft.action(), draft.source(), now));
                created++;
            }
            return new Outcome(desired.size() - (missing.size() - created), created, removed, List.copyOf(refused));
        });
        index.refresh();
        return outcome;
    }

    private static String identity(Draft d) {
        return String.join("\u001f", d.key().toString(), d.threshold().stripTrailingZeros().toPlainString(),
                d.channel().wireName(), String.valueOf(d.target()), String.valueOf(d.secret()), String.valueOf(d.action()));
    }

    private static String identity(AlertRule r) {
        return identity(new Draft(r.key(), r.threshold(), r.channel(), r.target(), r.secret(), r.action(), r.source()));
    }

    private static String text(JsonNode value) {
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** Text already judged clean by the sync's reader; bounded here for the rule's own limit. */
    private static String clean(String text, int lengthMax) {
        return text == null || text.isEmpty() || text.length() > lengthMax || !Names.isCleanText(text) ? null : text;
    }
}
