package io.kavach.ledger.alert;

import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.core.AlertRule;
import io.kavach.ledger.core.AlertRule.Channel;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Alert rules: validated, created, listed, deleted; the only place that opens their transactions. */
@ApplicationScoped
public class AlertRuleService {

    @Inject
    AlertStore store;
    @Inject
    AlertRuleIndex index;
    @Inject
    TargetGuard guard;
    @Inject
    AlertsConfig config;
    @Inject
    OrgStore orgs;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    Clock clock;

    /** A rule as asked for, fields already in their types; {@link #problems} judges it as a whole. */
    public record Draft(BudgetKey key, BigDecimal threshold, Channel channel, String target, String secret,
                        String action, String source) {
    }

    /** A created rule and, when the ledger generated the webhook secret, that secret (shown once). */
    public record Created(AlertRule rule, String generatedSecret) {
    }

    /**
     * What is wrong with the draft's channel, target, secret and action together, each at
     * {@code prefix + field}. Resolves HTTP targets' hosts (the SSRF guard).
     */
    public List<FieldError> problems(Draft draft, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        Channel channel = draft.channel();
        String target = draft.target();
        if (channel == Channel.KILL) {
            if (target != null) {
                errors.add(new FieldError(prefix + "target", "must be absent for channel kill"));
            }
        } else if (target == null) {
            errors.add(new FieldError(prefix + "target", "is required for channel " + channel.wireName()));
        } else {
            switch (channel) {
                case WEBHOOK, SLACK -> guard.refusal(target).ifPresent(m -> errors.add(new FieldError(prefix + "target", m)));
                case PAGERDUTY -> {
                    if (!AlertInput.isRoutingKey(target)) {
                        errors.add(new FieldError(prefix + "target", "must be a PagerDuty Events API v2 routing key (1-64 letters and digits)"));
                    }
                }
                case EMAIL -> {
                    if (!AlertInput.isEmail(target)) {
                        errors.add(new FieldError(prefix + "target", "must be an email address"));
                    }
                }
                default -> {
                }
            }
        }
        if (draft.secret() != null) {
            if (channel != Channel.WEBHOOK) {
                errors.add(new FieldError(prefix + "secret", "is only used by channel webhook"));
            } else if (!WebhookSignature.isUsable(draft.secret())) {
                errors.add(new FieldError(prefix + "secret", "must be whsec_ followed by base64 of 16-128 bytes, or other non-empty text"));
            }
        }
        if (draft.key() != null && draft.key().scope() == Scope.ORG && (AlertRule.KILL.equals(draft.action()) || channel == Channel.KILL)) {
            errors.add(new FieldError(prefix + (channel == Channel.KILL ? "channel" : "action"),
                    "kill pauses the agents of an agent or pool budget; an org budget's rule cannot kill"));
        }
        return errors;
    }

    /** Creates a rule of the org (problems already checked); a webhook without a secret gets a new one. */
    public Created create(String orgId, Draft draft) {
        String generated = draft.channel() == Channel.WEBHOOK && draft.secret() == null ? WebhookSignature.newSecret() : null;
        AlertRule rule = new AlertRule(UUID.randomUUID(), orgId, draft.key(), draft.threshold(), draft.channel(),
                draft.target(), generated != null ? generated : draft.secret(), draft.action(), draft.source(), now());
        QuarkusTransaction.requiringNew().run(() -> {
            orgs.ensure(orgId);
            // Serialises rule writes of one org so the cap holds; the spend path never takes this lock.
            definitions.lockOrg(orgId);
            if (store.liveRuleCount(orgId) >= config.rulesPerOrg()) {
                throw new DomainError.BoundReached("alert_rule_limit_reached", "Limit reached",
                        "The org has " + config.rulesPerOrg() + " alert rules, the most it may have; delete one first")
                        .withBound("limit", config.rulesPerOrg());
            }
            store.insertRule(rule);
        });
        index.refresh();
        return new Created(rule, generated);
    }

    public List<AlertRule> list(String orgId) {
        return store.liveRules(orgId);
    }

    public void delete(String orgId, UUID id) {
        if (!QuarkusTransaction.requiringNew().call(() -> store.deleteRule(orgId, id, now()))) {
            throw new DomainError.NotFound("Alert rule " + id);
        }
        index.refresh();
    }

    public Optional<AlertRule> find(String orgId, UUID id) {
        return list(orgId).stream().filter(r -> r.id().equals(id)).findFirst();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
