package io.kavach.ledger.service;

import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.config.ConfigPlanner;
import io.kavach.ledger.core.AgentPause;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.store.AgentDirectoryStore;
import io.kavach.ledger.store.AgentDirectoryStore.AgentRow;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.ApiKeyStore;
import io.kavach.ledger.store.ApplicableBudgetStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.BudgetStateStore;
import io.kavach.ledger.store.OrgStore;
import io.kavach.ledger.store.RoundTrip;
import io.kavach.ledger.store.RoundTrips;
import io.kavach.ledger.security.KnownApiKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Agents: their applicable budgets, their own budgets, and the "may I spend?" read. */
@ApplicationScoped
public class AgentService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    AgentStore agents;
    @Inject
    AgentDirectoryStore directory;
    @Inject
    ApplicableBudgetStore applicable;
    @Inject
    RoundTrips roundTrips;
    @Inject
    ApiKeyStore keys;
    @Inject
    KnownApiKeys knownKeys;
    @Inject
    BudgetStateStore states;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetChangeApplier applier;
    @Inject
    OrgLimits orgLimits;

    /**
     * One agent as listed: its name, the state of every applicable budget, its last SDK sync
     * (JSON, or null) and its pause (null when not paused).
     */
    public record AgentBudgets(String name, List<BudgetState> budgets, String sdkConfigJson, AgentPause pause) {
    }

    public record AgentPage(List<AgentBudgets> agents, boolean hasMore) {
    }

    /**
     * The answer to "may this agent spend?": not while it is paused ({@code pause} non-null), and
     * otherwise the tightest applicable budget decides.
     */
    public record BudgetStatus(String agent, boolean allowed, Money remaining, BudgetKey binding,
                               List<BudgetState> budgets, AgentPause pause) {
    }

    /** Agents sorted by name, {@code limit} at a time, after the name {@code startingAfter} (a cursor). */
    public AgentPage list(String orgId, String startingAfter, int limit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<AgentRow> rows = directory.page(orgId, startingAfter, limit + 1);
            boolean hasMore = rows.size() > limit;
            List<AgentRow> page = hasMore ? rows.subList(0, limit) : rows;
            Map<Long, List<Budget>> budgets = applicable.forAgents(orgId, page.stream().map(AgentRow::id).toList());
            // Each distinct budget is read once, however many agents it applies to (org budgets apply to all).
            Map<UUID, Budget> distinct = new LinkedHashMap<>();
            budgets.values().forEach(list -> list.forEach(b -> distinct.putIfAbsent(b.id(), b)));
            Map<UUID, BudgetState> byId = new HashMap<>();
            states.currentStates(new ArrayList<>(distinct.values()), clock.instant())
                    .forEach(state -> byId.put(state.budgetId(), state));
            List<AgentBudgets> result = new ArrayList<>(page.size());
            for (AgentRow row : page) {
                result.add(new AgentBudgets(row.name(),
                        budgets.get(row.id()).stream().map(b -> byId.get(b.id())).toList(), row.sdkConfigJson(),
                        row.pause()));
            }
            return new AgentPage(result, hasMore);
        });
    }

    /**
     * Makes the agent's own budgets exactly {@code wanted}; a period that stays keeps its counters.
     * A new one counts the agent's spend of its current period unless {@code countFromNow}.
     */
    public List<BudgetState> replaceOwnBudgets(String orgId, String agent, Collection<BudgetSpec> wanted,
                                               boolean countFromNow) {
        return QuarkusTransaction.requiringNew().call(() -> {
            orgs.ensure(orgId);
            definitions.lockOrg(orgId);
            agents.ensure(orgId, List.of(agent), orgLimits.agentsPerOrg());
            Map<BudgetKey, BudgetSpec> desired = new LinkedHashMap<>();
            wanted.forEach(spec -> desired.put(spec.key(), spec));
            List<BudgetChange> changes = ConfigPlanner.plan(desired, current(definitions.liveOwn(orgId, agent)),
                    ConfigPlanner.ownBudgetsOf(agent));
            Instant now = clock.instant();
            applier.apply(orgId, changes, BudgetOwner.API, countFromNow ? desired.keySet() : Set.of(), now);
            return ownStates(orgId, agent, now);
        });
    }

    /**
     * Pauses the agent (created if it does not exist yet, so a name can be stopped before it
     * first reports). Every spend transaction that starts after this commits sees the pause.
     */
    public BudgetStatus pause(String orgId, String agent, String reason) {
        return pause(orgId, agent, reason, null);
    }

    /**
     * Pauses the agent until {@code until} (an alert's kill: the end of the window that fired it),
     * or until it is resumed when {@code until} is null. A pause never shortens one in force.
     */
    public BudgetStatus pause(String orgId, String agent, String reason, Instant until) {
        QuarkusTransaction.requiringNew().run(() -> {
            orgs.ensure(orgId);
            agents.ensure(orgId, List.of(agent), orgLimits.agentsPerOrg());
            agents.pause(orgId, agent, clock.instant().truncatedTo(ChronoUnit.MICROS), reason, until);
        });
        return status(orgId, agent);
    }

    /** Lifts every pause whose end has come (the expiry sweeper's second job); returns how many. */
    public int liftEndedPauses() {
        return agents.liftEndedPauses(clock.instant());
    }

    /** Lifts the agent's pause (a no-op when it is not paused); empty when there is no such agent. */
    public Optional<BudgetStatus> resume(String orgId, String agent) {
        if (!QuarkusTransaction.requiringNew().call(() -> agents.resume(orgId, agent))) {
            return Optional.empty();
        }
        return Optional.of(status(orgId, agent));
    }

    /** The agent's budget status, for a caller already authenticated in full. */
    public BudgetStatus status(String orgId, String agent) {
        return status(orgId, agent, Optional.empty());
    }

    /**
     * Reads never create the agent: one that does not exist yet is covered by the org budgets
     * alone. No transaction (under READ COMMITTED one would not make a single snapshot either):
     * one round trip for the key check, what applies and the pause, a second for the counters of
     * those budgets' windows (four before: docs/benchmarks.md, "Budget reads at steady state").
     * {@code uncheckedKeyHash} is the caller's API key when its authentication left the
     * revocation check to this read (ADR 0004): a revoked key is then refused here, before
     * anything read is answered.
     */
    public BudgetStatus status(String orgId, String agent, Optional<byte[]> uncheckedKeyHash) {
        RoundTrip trip = roundTrips.start();
        RoundTrip.Result<Set<String>> liveKeys = keys.liveKeyHashes(trip, uncheckedKeyHash.map(List::of).orElse(List.of()));
        RoundTrip.Result<List<Budget>> budgets = applicable.forAgentNamed(trip, orgId, agent);
        RoundTrip.Result<Optional<AgentPause>> paused = agents.pauseOf(trip, orgId, agent);
        trip.run();
        if (uncheckedKeyHash.isPresent() && liveKeys.get().isEmpty()) {
            knownKeys.forget(uncheckedKeyHash.get());
            throw new AuthenticationFailedException("unknown or revoked API key");
        }
        List<BudgetState> current = states.currentStates(budgets.get(), clock.instant());
        // remaining is USD, as the SDK reads it: the tightest cost budget of all use. A budget of
        // another unit that is exhausted stops the agent too, and is then the binding one; one
        // that counts a single model or provider stops only that use, not the agent (ADR 0015).
        BudgetState tightest = null;
        BudgetState exhaustedOther = null;
        for (BudgetState state : current) {
            if (state.key().plainCost()) {
                if (tightest == null || state.remaining().compareTo(tightest.remaining()) < 0) {
                    tightest = state;
                }
            } else if (exhaustedOther == null && state.key().model() == null && state.key().provider() == null
                    && state.exhausted()) {
                exhaustedOther = state;
            }
        }
        Money remaining = tightest == null ? null : tightest.remaining();
        boolean costLeft = remaining == null || remaining.isPositive();
        BudgetState binding = costLeft && exhaustedOther != null ? exhaustedOther : tightest;
        AgentPause pause = paused.get().orElse(null);
        return new BudgetStatus(agent, pause == null && costLeft && exhaustedOther == null, remaining,
                binding == null ? null : binding.key(), current, pause);
    }

    List<BudgetState> ownStates(String orgId, String agent, Instant now) {
        List<Budget> own = definitions.liveOwn(orgId, agent).stream()
                .map(Budgets::of)
                .sorted(Comparator.comparing(Budget::period))
                .toList();
        return states.currentStates(own, now);
    }

    static Map<BudgetKey, ConfigPlanner.Current> current(List<Definition> live) {
        Map<BudgetKey, ConfigPlanner.Current> current = new LinkedHashMap<>();
        for (Definition d : live) {
            current.put(d.key(), new ConfigPlanner.Current(d.id(), new BudgetSpec(d.key(), d.limit(), d.members(), d.timezone()),
                    d.owner()));
        }
        return current;
    }
}
