package io.kavach.ledger.alert;

import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.store.AlertStore.IndexedRule;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The live rules by budget id, held in memory so the spend path decides "did this batch cross a
 * threshold?" without a query. Reloaded every second and at once after a local rule change; a
 * rule made on another instance is seen here within a second, and because firing asks
 * {@code spent >= threshold} (not "crossed by this booking alone") a booking in that second
 * delays its first alert to the next booking, never loses the rule (docs/alerts.md).
 */
@ApplicationScoped
public class AlertRuleIndex {

    private static final Logger LOG = Logger.getLogger(AlertRuleIndex.class);

    @Inject
    AlertStore store;

    private volatile Map<UUID, List<IndexedRule>> byBudget = Map.of();

    void load(@Observes StartupEvent event) {
        // The service starts (and answers 503) while PostgreSQL is down; the scheduled refresh loads the rules later.
        scheduledRefresh();
    }

    @Scheduled(every = "${kavach.alerts.rule-refresh:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRefresh() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf("alert rule index not refreshed (rules stay as last loaded): %s", e.toString());
        }
    }

    /** Reads every live rule again. */
    public void refresh() {
        Map<UUID, List<IndexedRule>> next = new HashMap<>();
        for (IndexedRule rule : store.ruleIndex()) {
            next.computeIfAbsent(rule.budgetId(), id -> new ArrayList<>()).add(rule);
        }
        byBudget = next;
    }

    public List<IndexedRule> rulesOf(UUID budgetId) {
        return byBudget.getOrDefault(budgetId, List.of());
    }

    public boolean isEmpty() {
        return byBudget.isEmpty();
    }
}
