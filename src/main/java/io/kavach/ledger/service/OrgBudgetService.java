package io.kavach.ledger.service;

import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.BudgetStateStore;
import io.kavach.ledger.store.OrgStore;
import io.kavach.ledger.store.WindowLimits;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Org budgets: one per budget type and period, covering every agent of the org. */
@ApplicationScoped
public class OrgBudgetService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    BudgetStateStore states;
    @Inject
    WindowLimits windowLimits;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetChangeApplier applier;

    /** A new org budget counts the org's spend of the current period unless {@code countFromNow}. */
    public BudgetState create(String orgId, String budgetType, Period period, Money limit, boolean countFromNow) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> insert(orgId, budgetType, period, limit, countFromNow));
        } catch (RuntimeException e) {
            // A concurrent create won the unique index; answer as if we had seen it first.
            Optional<UUID> existing = QuarkusTransaction.requiringNew()
                    .call(() -> findLive(orgId, period).map(Definition::id));
            if (existing.isPresent()) {
                throw alreadyExists(existing.get(), period);
            }
            throw e;
        }
    }

    private BudgetState insert(String orgId, String budgetType, Period period, Money limit, boolean countFromNow) {
        orgs.ensure(orgId);
        // Budget-configuration writers of one org queue on the org row (as config apply does).
        definitions.lockOrg(orgId);
        Optional<Definition> existing = findLive(orgId, period);
        if (existing.isPresent()) {
            throw alreadyExists(existing.get().id(), period);
        }
        Instant now = clock.instant();
        BudgetKey key = BudgetKey.org(period);
        // Through the one path that creates budgets: a removed org budget of this period comes back
        // with its counters, and a new one carries in the org's spend of the period (ADR 0008).
        applier.apply(orgId, List.of(new BudgetChange(BudgetChange.Action.CREATE, key, null, null, BudgetSpec.of(key, limit))),
                BudgetOwner.API, countFromNow ? Set.of(key) : Set.of(), now);
        Definition created = findLive(orgId, period).orElseThrow();
        return states.currentStates(List.of(Budgets.of(created)), now).get(0);
    }

    @Transactional
    public List<BudgetState> list(String orgId) {
        // Listed daily, monthly, total: the order a reader scans limits in.
        return states.currentStates(definitions.live(orgId, Scope.ORG).stream().map(Budgets::of)
                .sorted(Comparator.comparing(Budget::period)).toList(), clock.instant());
    }

    @Transactional
    public BudgetState get(String orgId, UUID id) {
        return states.currentStates(List.of(Budgets.of(findOwned(orgId, id))), clock.instant()).get(0);
    }

    @Transactional
    public BudgetState updateLimit(String orgId, UUID id, Money limit) {
        definitions.lockOrg(orgId);
        Definition budget = findOwned(orgId, id);
        Instant now = clock.instant();
        definitions.updateLimit(id, limit, BudgetOwner.API, now);
        windowLimits.applyLimit(id, limit, now);
        Budget changed = new Budget(id, budget.key(), BudgetState.COST, limit, BudgetOwner.API);
        return states.currentStates(List.of(changed), now).get(0);
    }

    @Transactional
    public void delete(String orgId, UUID id) {
        definitions.lockOrg(orgId);
        findOwned(orgId, id);
        definitions.softDelete(List.of(id), clock.instant());
    }

    /** The org's live budget of {@code period} (org budgets count cost: one per period). */
    private Optional<Definition> findLive(String orgId, Period period) {
        return definitions.live(orgId, Scope.ORG).stream().filter(d -> d.key().period() == period).findFirst();
    }

    /** Another org's budget, a deleted one and a missing one are indistinguishable: 404. */
    private Definition findOwned(String orgId, UUID id) {
        return definitions.live(orgId, Scope.ORG).stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new DomainError.NotFound("Org budget " + id));
    }

    private static DomainError alreadyExists(UUID existingId, Period period) {
        return new DomainError.AlreadyExists("budget_already_exists", "Budget already exists",
                "The org already has a " + period.wireName() + " cost budget: " + existingId
                        + ". Change its limit with PUT /v1/org/budgets/" + existingId, "existing_id", existingId.toString());
    }
}
