package io.kavach.ledger.service;

import io.kavach.ledger.core.Bounds;
import io.kavach.ledger.store.SqlFailures;
import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.BudgetStateStore;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Shared pools: named budgets that the listed agents draw from together, enforced centrally. */
@ApplicationScoped
public class SharedBudgetService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    AgentStore agents;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetStateStore states;
    @Inject
    BudgetChangeApplier applier;
    @Inject
    OrgLimits limits;

    /** A new pool counts its members' spend of the current period unless {@code countFromNow}. */
    public PoolState create(String orgId, BudgetKey key, Money limit, ZoneId timezone, List<String> members,
                            boolean countFromNow) {
        String name = key.name();
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                orgs.ensure(orgId);
                definitions.lockOrg(orgId);
                List<Definition> pools = definitions.live(orgId, Scope.SHARED);
                if (pools.stream().anyMatch(p -> p.key().name().equals(name))) {
                    throw alreadyExists(name);
                }

                Instant now = clock.instant();
                applier.apply(orgId, List.of(new BudgetChange(BudgetChange.Action.CREATE, key, null, null,
                        new BudgetSpec(key, limit, members, timezone))), BudgetOwner.API, countFromNow ? Set.of(key) : Set.of(), now);
                return state(orgId, name, now);
            });
        } catch (RuntimeException e) {
            // Without the org row (a first write racing another) the unique index decides: a clear 409.
            if (SqlFailures.isUniqueViolation(e)) {
                throw alreadyExists(name);
            }
            throw e;
        }
    }

    public List<PoolState> list(String orgId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Definition> pools = new ArrayList<>(definitions.live(orgId, Scope.SHARED));
            pools.sort(Comparator.comparing(d -> d.key().name()));
            List<BudgetState> current = states.currentStates(pools.stream().map(Budgets::of).toList(),
                    clock.instant());
            List<PoolState> result = new ArrayList<>(pools.size());
            for (int i = 0; i < pools.size(); i++) {
                result.add(new PoolState(current.get(i), pools.get(i).members()));
            }
            return result;
        });
    }

    public PoolState get(String orgId, String name) {
        return QuarkusTransaction.requiringNew().call(() -> state(orgId, name, clock.instant()));
    }

    /**
     * Full replace of limit and members, and of the time zone when {@code timezone} is not null;
     * the period, type and filters are the pool's identity and cannot change ({@code sameKind}
     * says whether the type and filters sent are the pool's; null when none was sent).
     */
    public PoolState replace(String orgId, String name, Period period, java.util.function.Predicate<BudgetKey> sameKind,
                             Money limit, ZoneId timezone, List<String> members) {
        return QuarkusTransaction.requiringNew().call(() -> {
            definitions.lockOrg(orgId);
            Definition pool = find(orgId, name);
            if (period != null && period != pool.key().period()) {
                throw new DomainError.InvalidInput("period", "cannot change (the pool is " + pool.key().period().wireName()
                        + "); delete the pool and create it again with the new period");
            }
            if (sameKind != null && !sameKind.test(pool.key())) {
                throw new DomainError.InvalidInput("budget_type", "cannot change the pool's type, model or provider"
                        + " (it is " + pool.key() + "); delete the pool and create it again");
            }
            if (pool.key().type().counts() && limit.value().stripTrailingZeros().scale() > 0) {
                throw new DomainError.InvalidInput("limit_value", "must be a whole number of "
                        + pool.key().type().wireName() + " for a " + pool.key().type().wireName() + " budget");
            }
            BudgetSpec from = new BudgetSpec(pool.key(), pool.limit(), pool.members(), pool.timezone());
            if (timezone != null && !timezone.equals(TimeZones.UTC) && pool.key().period() == Period.TOTAL) {
                throw new DomainError.InvalidInput("timezone",
                        "a total budget never resets, so it takes no time zone (only UTC)");
            }
            BudgetSpec to = new BudgetSpec(pool.key(), limit, members, timezone == null ? pool.timezone() : timezone);
            Instant now = clock.instant();
            applier.apply(orgId, List.of(new BudgetChange(BudgetChange.Action.UPDATE, pool.key(), pool.id(), from, to)),
                    BudgetOwner.API, now);
            return state(orgId, name, now);
        });
    }

    public void delete(String orgId, String name) {
        QuarkusTransaction.requiringNew().run(() -> {
            definitions.lockOrg(orgId);
            Definition pool = find(orgId, name);
            definitions.softDelete(List.of(pool.id()), clock.instant());
        });
    }

    public void addMember(String orgId, String name, String agent) {
        QuarkusTransaction.requiringNew().run(() -> {
            definitions.lockOrg(orgId);
            Definition pool = find(orgId, name);
            if (pool.members().contains(agent)) {
                return;
            }
            if (pool.members().size() >= Bounds.POOL_MEMBERS_MAX) {
                throw new DomainError.BoundReached("pool_member_limit_reached", "Too many pool members",
                        "A pool may have at most " + Bounds.POOL_MEMBERS_MAX + " agents");
            }
            Long agentId = agents.ensure(orgId, List.of(agent), limits.agentsPerOrg()).get(agent);
            definitions.addMembers(pool.id(), List.of(agentId));
            definitions.setOwner(List.of(pool.id()), BudgetOwner.API, clock.instant());
            applier.checkPoolLimits(orgId, false, List.of(agentId));
        });
    }

    /** Removing an agent that is not a member is a no-op (DELETE is idempotent); the pool must exist. */
    public void removeMember(String orgId, String name, String agent) {
        QuarkusTransaction.requiringNew().run(() -> {
            definitions.lockOrg(orgId);
            Definition pool = find(orgId, name);
            definitions.removeMember(orgId, pool.id(), agent);
            definitions.setOwner(List.of(pool.id()), BudgetOwner.API, clock.instant());
        });
    }

    private PoolState state(String orgId, String name, Instant now) {
        Definition pool = find(orgId, name);
        BudgetState state = states.currentStates(List.of(Budgets.of(pool)), now).get(0);
        return new PoolState(state, List.copyOf(new TreeSet<>(pool.members())));
    }

    /** Another org's pool, a deleted one and a missing one are indistinguishable: 404. */
    private Definition find(String orgId, String name) {
        return definitions.livePool(orgId, name)
                .orElseThrow(() -> new DomainError.NotFound("Shared budget " + name));
    }

    private static DomainError alreadyExists(String name) {
        return new DomainError.AlreadyExists("shared_budget_already_exists", "Shared budget already exists",
                "The org already has a shared pool named " + name + ". Change it with PUT /v1/shared-budgets/" + name,
                "name", name);
    }
}
