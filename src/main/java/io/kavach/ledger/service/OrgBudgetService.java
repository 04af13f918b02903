package io.kavach.ledger.service;

import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.BudgetStateStore;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Org budgets: one per budget type, period and filter, covering every agent of the org. */
@ApplicationScoped
public class OrgBudgetService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    BudgetStateStore states;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetChangeApplier applier;

    /** A new org budget counts the org's spend of the current period unless {@code countFromNow}. */
    public BudgetState create(String orgId, BudgetKey key, Money limit, ZoneId timezone, boolean countFromNow) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> insert(orgId, key, limit, timezone, countFromNow));
        } catch (RuntimeException e) {
            // A concurrent create won the unique index; answer as if we had seen it first.
            Optional<UUID> existing = QuarkusTransaction.requiringNew()
                    .call(() -> findLive(orgId, key).map(Definition::id));
            if (existing.isPresent()) {
                throw alreadyExists(existing.get(), key);
            }
            throw e;
        }
    }

    private BudgetState insert(String orgId, BudgetKey key, Money limit, ZoneId timezone, boolean countFromNow) {
        orgs.ensure(orgId);
        // Budget-configuration writers of one org queue on the org row (as config apply does).
        definitions.lockOrg(orgId);
        Optional<Definition> existing = findLive(orgId, key);
        if (existing.isPresent()) {
            throw alreadyExists(existing.get().id(), key);
        }
        Instant now = clock.instant();
        // Through the one path that creates budgets: a removed org budget of this key comes back
        // with its counters, and a new one carries in the org's spend of the period (ADR 0008).
        applier.apply(orgId, List.of(new BudgetChange(BudgetChange.Action.CREATE, key, null, null,
                BudgetSpec.of(key, limit, timezone))), BudgetOwner.API, countFromNow ? Set.of(key) : Set.of(), now);
        Definition created = findLive(orgId, key).orElseThrow();
        return states.currentStates(List.of(Budgets.of(created)), now).get(0);
    }

    @Transactional
    public List<BudgetState> list(String orgId) {
        // Listed hourly, daily, monthly, total: the order a reader scans limits in.
        return states.currentStates(definitions.live(orgId, Scope.ORG).stream().map(Budgets::of)
                .sorted(Comparator.comparing(Budget::period)).toList(), clock.instant());
    }

    @Transactional
    public BudgetState get(String orgId, UUID id) {
        return states.currentStates(List.of(Budgets.of(findOwned(orgId, id))), clock.instant()).get(0);
    }

    /**
     * Sets the limit and, when {@code timezone} is not null, the zone (moving to another zone's
     * clock opens the window of the new clock with the spend it already holds, ADR 0014).
     */
    @Transactional
    public BudgetState update(String orgId, UUID id, Money limit, ZoneId timezone) {
        definitions.lockOrg(orgId);
        Definition budget = findOwned(orgId, id);
        if (timezone != null && !timezone.equals(TimeZones.UTC) && budget.key().period() == Period.TOTAL) {
            throw new DomainError.InvalidInput("timezone", "a total budget never resets, so it takes no time zone (only UTC)");
        }
        if (budget.key().type().counts() && limit.value().stripTrailingZeros().scale() > 0) {
            throw new DomainError.InvalidInput("limit_value", "must be a whole number of "
                    + budget.key().type().wireName() + " for a " + budget.key().type().wireName() + " budget");
        }
        BudgetSpec from = BudgetSpec.of(budget.key(), budget.limit(), budget.timezone());
        BudgetSpec to = BudgetSpec.of(budget.key(), limit, timezone == null ? budget.timezone() : timezone);
        Instant now = clock.instant();
        applier.apply(orgId, List.of(new BudgetChange(BudgetChange.Action.UPDATE, budget.key(), id, from, to)),
                BudgetOwner.API, now);
        return states.currentStates(List.of(Budgets.of(findOwned(orgId, id))), now).get(0);
    }

    @Transactional
    public void delete(String orgId, UUID id) {
        definitions.lockOrg(orgId);
        findOwned(orgId, id);
        definitions.softDelete(List.of(id), clock.instant());
    }

    /** The org's live budget of {@code key} (its period, type and filters). */
    private Optional<Definition> findLive(String orgId, BudgetKey key) {
        return definitions.live(orgId, Scope.ORG).stream().filter(d -> d.key().equals(key)).findFirst();
    }

    /** Another org's budget, a deleted one and a missing one are indistinguishable: 404. */
    private Definition findOwned(String orgId, UUID id) {
        return definitions.live(orgId, Scope.ORG).stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new DomainError.NotFound("Org budget " + id));
    }

    private static DomainError alreadyExists(UUID existingId, BudgetKey key) {
        return new DomainError.AlreadyExists("budget_already_exists", "Budget already exists",
                "The org already has the budget " + key + ": " + existingId
                        + ". Change its limit with PUT /v1/org/budgets/" + existingId, "existing_id", existingId.toString());
    }
}
