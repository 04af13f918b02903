package io.kavach.ledger.service;

import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.OrgLimit;
import io.kavach.ledger.core.OrgLimitReached;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.OpeningBalanceStore;
import io.kavach.ledger.store.WindowLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    @Inject
    OrgLimits limits;
    @Inject
    OpeningBalanceStore openings;

    void apply(String orgId, List<BudgetChange> changes, BudgetOwner owner, Instant now) {
        apply(orgId, changes, owner, Set.of(), now);
    }

    /**
     * Carries out {@code changes} as {@code owner} (every budget created, changed or adopted is
     * then owned by it). A created budget counts the spend its scope already booked in its current
     * period (an opening balance), unless its key is in {@code countFromNow}; a created key that
     * was removed before comes back with its windows, so its counters continue (ADR 0008).
     */
    void apply(String orgId, List<BudgetChange> changes, BudgetOwner owner, Set<BudgetKey> countFromNow, Instant now) {
        List<BudgetChange> sorted = new ArrayList<>(changes);
        sorted.sort(Comparator.comparing(BudgetChange::action));
        definitions.softDelete(sorted.stream().filter(c -> c.action() == BudgetChange.Action.DELETE)
                .map(BudgetChange::budgetId).toList(), now);

        Map<String, Long> agentIds = agents.ensure(orgId, agentsNeeded(sorted), limits.agentsPerOrg());

        // Budget rows in id order too, so two writers (should the org lock ever be bypassed) agree.
        TreeMap<UUID, Money> newLimits = new TreeMap<>();
        TreeSet<UUID> touched = new TreeSet<>();
        List<OpeningBalanceStore.Opening> opened = new ArrayList<>();
        for (BudgetChange change : sorted) {
            if (change.action() != BudgetChange.Action.UPDATE && change.action() != BudgetChange.Action.ADOPT) {
                continue;
            }
            touched.add(change.budgetId());
            if (!change.from().limit().equals(change.to().limit())) {
                newLimits.put(change.budgetId(), change.to().limit());
            }
            if (!change.from().timezone().equals(change.to().timezone())) {
                // On the new clock the current window is another one: it counts what the scope
                // already spent in it, like a budget created now (ADR 0014).
                definitions.setTimezone(change.budgetId(), change.to().timezone(), now);
                if (change.key().plainCost()) {
                    opened.add(opening(change.budgetId(), change.to(), agentIds, now));
                }
            }
            if (change.key().scope() == Scope.SHARED && !Objects.equals(change.from().agents(), change.to().agents())) {
                definitions.replaceMembers(change.budgetId(), ids(change.to().agents(), agentIds));
            }
        }
        newLimits.forEach((id, limit) -> definitions.updateLimit(id, limit, owner, now));
        definitions.setOwner(touched, owner, now);

        List<BudgetChange> creates = sorted.stream().filter(c -> c.action() == BudgetChange.Action.CREATE).toList();
        List<UUID> createdIds = new ArrayList<>();
        for (BudgetChange change : creates) {
            BudgetSpec spec = change.to();
            Long agentId = spec.key().scope() == Scope.AGENT ? agentIds.get(spec.key().name()) : null;
            BudgetDefinitionStore.Created created = definitions.create(orgId, spec.key(), agentId, spec.limit(),
                    spec.timezone(), owner, Ids.newId(now), now);
            createdIds.add(created.id());
            if (spec.key().scope() == Scope.SHARED) {
                if (created.revived()) {
                    definitions.replaceMembers(created.id(), ids(spec.agents(), agentIds));
                } else {
                    definitions.addMembers(created.id(), ids(spec.agents(), agentIds));
                }
            }
            if (created.revived()) {
                newLimits.put(created.id(), spec.limit());
            }
        }
        // Every open window of changed and revived budgets at once, in ascending id (the ledger's order).
        windowLimits.applyLimits(newLimits, now);
        for (int i = 0; i < creates.size(); i++) {
            BudgetSpec spec = creates.get(i).to();
            // Opening balances carry in USD of all use; a budget of another unit, or one that counts
            // one model or provider, starts at zero (ADR 0015).
            if (!countFromNow.contains(spec.key()) && spec.key().plainCost()) {
                opened.add(opening(createdIds.get(i), spec, agentIds, now));
            }
        }
        openings.open(orgId, opened);
        checkPoolLimits(orgId, sorted, agentIds);
    }

    /** The opening step of the budget's current window on its clock: its scope's spend so far (ADR 0008). */
    private static OpeningBalanceStore.Opening opening(UUID budgetId, BudgetSpec spec, Map<String, Long> agentIds,
                                                       Instant now) {
        List<Long> scope = switch (spec.key().scope()) {
            case ORG -> null;
            case SHARED -> ids(spec.agents(), agentIds);
            case AGENT -> List.of(agentIds.get(spec.key().name()));
        };
        return new OpeningBalanceStore.Opening(budgetId, spec.key().period().windowAt(now, spec.timezone()),
                spec.limit(), scope);
    }

    /**
     * After the writes, inside the same transaction (which holds the org lock, so the counts are
     * exact): the org's pools and each new member's pools stay within their caps, or everything
     * rolls back.
     */
    private void checkPoolLimits(String orgId, List<BudgetChange> changes, Map<String, Long> agentIds) {
        List<Long> members = new ArrayList<>();
        boolean poolCreated = false;
        for (BudgetChange change : changes) {
            if (change.key().scope() != Scope.SHARED || change.to() == null) {
                continue;
            }
            poolCreated |= change.action() == BudgetChange.Action.CREATE;
            change.to().agents().forEach(name -> members.add(agentIds.get(name)));
        }
        checkPoolLimits(orgId, poolCreated, members);
    }

    /** The pool caps of {@link OrgLimits}, checked after a write that created a pool or added {@code members}. */
    void checkPoolLimits(String orgId, boolean poolCreated, List<Long> members) {
        if (poolCreated && definitions.livePoolCount(orgId) > limits.poolsPerOrg()) {
            throw new OrgLimitReached(OrgLimit.POOLS, limits.poolsPerOrg(),
                    "An org may have at most " + limits.poolsPerOrg() + " shared pools; delete one first");
        }
        List<String> over = definitions.agentsInMorePoolsThan(members, limits.poolsPerAgent());
        if (!over.isEmpty()) {
            throw new OrgLimitReached(OrgLimit.POOLS_PER_AGENT, limits.poolsPerAgent(),
                    "An agent may be a member of at most " + limits.poolsPerAgent() + " shared pools; "
                            + String.join(", ", over) + " would be in more");
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
}
