package io.kavach.ledger.alert;

import io.kavach.ledger.core.WindowBalance;
import io.kavach.ledger.store.AlertStore;
import io.kavach.ledger.store.AlertStore.Crossing;
import io.kavach.ledger.store.AlertStore.IndexedRule;
import io.kavach.ledger.store.RoundTrip;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides, inside a ledger transaction and after its counters are written, which alert rules
 * the batch's bookings made fire, and writes them to the outbox in one statement. Only spent
 * counts (holds are released or expire and would raise false alarms); only a window whose
 * spent grew in this batch is looked at; a (rule, window) this instance already saw fired is
 * skipped without a query. The database's unique (rule_id, window_id) is what makes firing
 * exactly-once; the in-memory set only saves round trips.
 */
@ApplicationScoped
public class AlertFiring {

    /** Pairs remembered as already fired, per instance (a bounded cache, not the truth). */
    static final int REMEMBERED_MAX = 100_000;

    @Inject
    AlertRuleIndex index;
    @Inject
    AlertStore store;
    @Inject
    TransactionSynchronizationRegistry transactions;
    @Inject
    MeterRegistry metrics;

    private final Set<String> fired = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_MAX;
                }
            }));

    /** Called by the ledger with every window it locked, in the round trip of its writes, before it commits. */
    public void fire(RoundTrip trip, Collection<WindowBalance> windows, Instant now) {
        if (index.isEmpty()) {
            return;
        }
        List<Crossing> crossings = new ArrayList<>();
        for (WindowBalance window : windows) {
            if (window.spent().compareTo(window.spentAtLock()) <= 0) {
                continue;
            }
            for (IndexedRule rule : index.rulesOf(window.budget().id())) {
                BigDecimal level = rule.threshold().multiply(window.limit().value());
                if (window.spent().value().compareTo(level) >= 0 && !fired.contains(pair(rule.ruleId(), window.windowId()))) {
                    crossings.add(new Crossing(rule.ruleId(), window.windowId(), window.budget().id(),
                            window.budget().key().toString(), window.limit().value(), window.spent().value(),
                            window.reserved().value(), window.window().start(), window.window().end()));
                }
            }
        }
        if (crossings.isEmpty()) {
            return;
        }
        RoundTrip.Result<List<UUID>> inserted = store.fire(trip, crossings, now);
        // Remembered only once the transaction commits: a rolled-back batch is retried and must fire then.
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    crossings.forEach(c -> fired.add(pair(c.ruleId(), c.windowId())));
                    if (!inserted.get().isEmpty()) {
                        metrics.counter("kavach.alerts.fired").increment(inserted.get().size());
                    }
                }
            }
        });
    }

    private static String pair(UUID ruleId, long windowId) {
        return ruleId + "/" + windowId;
    }
}
