package io.kavach.ledger.service;

import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.ledger.Ids;
import io.kavach.ledger.ledger.Money;
import io.kavach.ledger.ledger.Scope;
import io.kavach.ledger.ledger.store.AgentStore;
import io.kavach.ledger.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.ledger.store.WindowLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Carries out planned budget changes inside the caller's transaction, which must already hold
 * the org lock ({@link BudgetDefinitionStore#lockOrg}). Deletes first (so a pool name is free
 * again), then updates in place (counters kept; all changed windows locked at once in ascending
 * id order), then creates.
 */
@ApplicationScoped
class BudgetChangeApplier {

    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    AgentStore agents;
    @Inject
    WindowLimits windowLimits;

    void apply(String orgId, List<BudgetChange> changes, Instant now) {
        List<BudgetChange> sorted = new ArrayList<>(changes);
        sorted.sort(Comparator.comparing(BudgetChange::action));
        definitions.softDelete(sorted.stream().filter(c -> c.action() == BudgetChange.Action.DELETE)
                .map(BudgetChange::budgetId).toList(), now);

        Map<String, Long> agentIds = agents.ensure(orgId, agentsNeeded(sorted));

        // Budget rows in id order too, so two writers (should the org lock ever be bypassed) agree.
        TreeMap<UUID, Money> newLimits = new TreeMap<>();
        for (BudgetChange change : sorted) {
            if (change.action() != BudgetChange.Action.UPDATE) {
                continue;
            }
            if (!change.from().limit().equals(change.to().limit())) {
                newLimits.put(change.budgetId(), change.to().limit());
            }
            if (change.key().scope() == Scope.SHARED && !Objects.equals(change.from().agents(), change.to().agents())) {
                definitions.replaceMembers(change.budgetId(), ids(change.to().agents(), agentIds));
            }
        }
        newLimits.forEach((id, limit) -> definitions.updateLimit(id, limit, now));
        windowLimits.applyLimits(newLimits, now);

        for (BudgetChange change : sorted) {
            if (change.action() != BudgetChange.Action.CREATE) {
                continue;
            }
            BudgetSpec spec = change.to();
            Long agentId = spec.key().scope() == Scope.AGENT ? agentIds.get(spec.key().name()) : null;
            UUID id = definitions.insert(orgId, spec.key(), agentId, spec.limit(), Ids.newId(now), now);
            if (spec.key().scope() == Scope.SHARED) {
                definitions.addMembers(id, ids(spec.agents(), agentIds));
            }
        }
    }

    private static Collection<String> agentsNeeded(List<BudgetChange> changes) {
        TreeSet<String> names = new TreeSet<>();
        for (BudgetChange change : changes) {
            if (change.to() == null) {
                continue;
            }
            if (change.key().scope() == Scope.AGENT) {
                names.add(change.key().name());
            } else if (change.key().scope() == Scope.SHARED) {
                names.addAll(change.to().agents());
            }
        }
        return names;
    }

    private static List<Long> ids(List<String> names, Map<String, Long> agentIds) {
        return names.stream().map(name -> Objects.requireNonNull(agentIds.get(name), name)).toList();
    }

    /** True when {@code e} was caused by a unique index: a concurrent writer created the same budget. */
    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql && BudgetDefinitionStore.UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
