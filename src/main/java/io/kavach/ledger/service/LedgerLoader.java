package io.kavach.ledger.service;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerCommand.Commit;
import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Release;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import io.kavach.ledger.core.LedgerInvariantViolation;
import io.kavach.ledger.core.LockedLedger;
import io.kavach.ledger.core.ResolvedAgent;
import io.kavach.ledger.core.StoredReservation;
import io.kavach.ledger.core.WindowBalance;
import io.kavach.ledger.core.WindowSpec;
import io.kavach.ledger.core.WindowSpec.WindowRef;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.ApplicableBudgetStore;
import io.kavach.ledger.store.DefaultBudgetStore;
import io.kavach.ledger.store.LedgerStore;
import io.kavach.ledger.store.ReservationStore;
import io.kavach.ledger.store.RoundTrip;
import io.kavach.ledger.store.RoundTrips;
import io.kavach.ledger.store.SpendEventStore;
import io.kavach.ledger.store.SpendEventStore.NewEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The "lock and load" half of a ledger batch: it takes the batch's locks in the order written in
 * {@link LedgerStore} and reads what the decisions need into a {@link LockedLedger}.
 * Creating agents, windows and spend events happens here because each is a lock step of its own;
 * nothing here decides an outcome. The statements travel in as few {@link RoundTrip}s as their
 * inputs allow: for a batch of reservations of existing agents, two (steps 0 to 3, then 4 and 6).
 * Over 300 lines because every lock step a batch takes is a method here, in the lock order, with
 * what each round trip hands the next: split, one batch's lock order would be spread over files.
 */
@ApplicationScoped
public class LedgerLoader {

    @Inject
    RoundTrips trips;
    @Inject
    LedgerStore store;
    @Inject
    ReservationStore reservations;
    @Inject
    SpendEventStore spendEvents;
    @Inject
    AgentStore agents;
    @Inject
    ApplicableBudgetStore applicable;
    @Inject
    OrgLimits limits;
    @Inject
    DefaultBudgetStore defaults;

    /**
     * Steps 1 to 6 of the lock order in {@link LedgerStore}: locks and reads everything the batch's
     * decisions depend on, in the caller's transaction. {@code first} is the batch's first round
     * trip, which may already carry the caller's step 0; steps 1 to 3 join it and it runs here.
     */
    public LockedLedger lockAndLoad(List<? extends LedgerCommand> batch, Instant now, RoundTrip first) {
        return new Load(batch, now).run(first);
    }

    /** The spend events of step 5 and, once their round trip has run, the keys inserted per org. */
    private record NewEvents(List<NewEvent> events, RoundTrip.Result<Map<String, Set<String>>> inserted) {
    }

    /**
     * One org's agents in a batch: every name its commands use, those that spend for sure, and
     * (agent, idempotency key) of reservations that spend unless they are replays.
     */
    private static final class Spenders {
        final Set<String> names = new TreeSet<>();
        final Set<String> spending = new TreeSet<>();
        final List<Map.Entry<String, String>> keyed = new ArrayList<>();

        void add(String name) {
            names.add(name);
            spending.add(name);
        }
    }

    /** What step 3 reads for one org's agents, once its round trip has run. */
    private record Resolution(RoundTrip.Result<Map<String, ResolvedAgent>> agents,
                              RoundTrip.Result<Map<Long, List<Budget>>> budgets) {
    }

    /** One batch being loaded. */
    private final class Load {
        private final List<? extends LedgerCommand> batch;
        private final Instant now;
        private final LockedLedger locked = new LockedLedger(limits.agentsPerOrg());

        Load(List<? extends LedgerCommand> batch, Instant now) {
            this.batch = batch;
            this.now = now;
        }

        LockedLedger run(RoundTrip first) {
            // Steps 1 to 3 in one round trip. Their inputs are all in the batch: the agents of every
            // reservation are read, a replay's too (reading creates nothing; a replay's agent is
            // simply not used).
            store.shareBudgetDefinitions(first, batch.stream().map(LedgerCommand::orgId)
                    .collect(Collectors.toCollection(TreeSet::new)));
            RoundTrip.Result<Map<UUID, StoredReservation>> held = reservations.lockReservations(first, reservationOrgs());
            Map<String, RoundTrip.Result<Map<String, StoredReservation>>> underKeys = new HashMap<>();
            idempotencyKeys().forEach((org, keys) -> underKeys.put(org, reservations.findByIdempotencyKeys(first, org, keys)));
            Map<String, Spenders> spenders = spenders();
            Map<String, Resolution> resolved = new HashMap<>();
            spenders.forEach((org, orgSpenders) -> resolved.put(org, resolve(first, org, orgSpenders)));
            first.run();

            locked.reservationsLocked(held.get());
            underKeys.forEach((org, found) -> locked.reservationsUnderKeys(org, found.get()));
            createMissingAgents(resolved);
            resolved.forEach((org, resolution) -> {
                Map<Long, List<Budget>> budgets = new HashMap<>(resolution.budgets().get());
                resolution.agents().get().values().forEach(agent -> budgets.putIfAbsent(agent.id(), new ArrayList<>()));
                locked.agentsResolved(org, resolution.agents().get(), budgets);
            });

            Map<WindowRef, WindowSpec> specs = windowSpecs();
            List<Ingest> ingests = batch.stream().filter(c -> c instanceof Ingest && needsWindows(c))
                    .map(Ingest.class::cast).toList();
            RoundTrip windows = trips.start();
            store.ensureWindows(windows, specs.values());
            NewEvents events = null;
            if (!ingests.isEmpty()) {
                // Step 5 needs the ids of the windows step 4 makes: one round trip more.
                RoundTrip.Result<Map<WindowRef, Long>> ids = store.windowIds(windows, specs.keySet());
                windows.run();
                windows = trips.start();
                events = insertEvents(windows, ingests, ids.get());
            }
            RoundTrip.Result<Map<Long, WindowBalance>> balances = store.lockWindows(windows, specs.keySet(), resolvedWindows());
            windows.run();
            locked.windowsLocked(balances.get());
            if (events != null) {
                recallSkippedEvents(events);
            }
            return locked;
        }

        // Step 2: reservation rows of commits and releases, each only in the org that names it, so
        // another org's id locks nothing.
        private Map<UUID, Set<String>> reservationOrgs() {
            Map<UUID, Set<String>> orgs = new TreeMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Commit commit) {
                    orgs.computeIfAbsent(commit.reservationId(), id -> new TreeSet<>()).add(commit.orgId());
                } else if (command instanceof Release release) {
                    orgs.computeIfAbsent(release.reservationId(), id -> new TreeSet<>()).add(release.orgId());
                }
            }
            return orgs;
        }

        private Map<String, Set<String>> idempotencyKeys() {
            Map<String, Set<String>> keysByOrg = new HashMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && reserve.idempotencyKey() != null) {
                    keysByOrg.computeIfAbsent(reserve.orgId(), o -> new TreeSet<>()).add(reserve.idempotencyKey());
                }
            }
            return keysByOrg;
        }

        // Step 3: the agents the batch spends for, per org.
        private Map<String, Spenders> spenders() {
            Map<String, Spenders> byOrg = new TreeMap<>();
            for (LedgerCommand command : batch) {
                Spenders spenders = byOrg.computeIfAbsent(command.orgId(), o -> new Spenders());
                if (command instanceof Reserve reserve && reserve.idempotencyKey() == null) {
                    spenders.add(reserve.agentName());
                } else if (command instanceof Reserve reserve) {
                    spenders.names.add(reserve.agentName());
                    spenders.keyed.add(Map.entry(reserve.agentName(), reserve.idempotencyKey()));
                } else if (command instanceof Ingest ingest) {
                    ingest.events().forEach(e -> spenders.add(e.agentName()));
                }
            }
            byOrg.values().removeIf(spenders -> spenders.names.isEmpty());
            return byOrg;
        }

        // Step 3: the org's default budgets the spending agents lack (ADR 0015) are made first, so
        // they apply to this spend; then the agents, whether they are paused, and what applies to
        // them. The pause is read here, inside the transaction, so a pause committed before the
        // request was sent always stops it.
        private Resolution resolve(RoundTrip trip, String orgId, Spenders spenders) {
            defaults.applyTo(trip, orgId, spenders.spending, spenders.keyed, now);
            return new Resolution(agents.find(trip, orgId, spenders.names),
                    applicable.forAgentsNamed(trip, orgId, spenders.names));
        }

        // Step 3, on an agent's first spend: the agents that commands need and that do not exist
        // yet are created (if the org's cap allows, else they stay absent and their commands are
        // refused alone), and that org's agents are read again, in one more round trip. Replays
        // are known by now: only what spends is created or given default budgets.
        private void createMissingAgents(Map<String, Resolution> resolved) {
            Map<String, Set<String>> missing = new TreeMap<>();
            forEachSpendingAgent((org, name) -> {
                if (!resolved.get(org).agents().get().containsKey(name)) {
                    missing.computeIfAbsent(org, o -> new TreeSet<>()).add(name);
                }
            });
            if (missing.isEmpty()) {
                return;
            }
            Map<String, Spenders> spending = new TreeMap<>();
            forEachSpendingAgent((org, name) -> spending.computeIfAbsent(org, o -> new Spenders()).add(name));
            RoundTrip create = trips.start();
            missing.forEach((org, orgMissing) -> {
                agents.createWithin(create, org, orgMissing, limits.agentsPerOrg());
                resolved.put(org, resolve(create, org, spending.get(org)));
            });
            create.run();
        }

        /** (org, agent) of every command that spends: reservations that are not replays, and events. */
        private void forEachSpendingAgent(BiConsumer<String, String> action) {
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && !locked.isReplay(reserve)) {
                    action.accept(reserve.orgId(), reserve.agentName());
                } else if (command instanceof Ingest ingest) {
                    ingest.events().forEach(e -> action.accept(ingest.orgId(), e.agentName()));
                }
            }
        }

        /** The commands the core will decide against windows: not those refused for a missing agent. */
        private boolean needsWindows(LedgerCommand command) {
            return !locked.lacksAgent(command)
                    && (command instanceof Reserve reserve && !locked.isReplay(reserve) || command instanceof Ingest);
        }

        // Step 4: the windows the batch's reservations and events fall in, by budget and start.
        private Map<WindowRef, WindowSpec> windowSpecs() {
            Map<WindowRef, WindowSpec> specs = new LinkedHashMap<>();
            for (LedgerCommand command : batch) {
                if (!needsWindows(command)) {
                    continue;
                }
                if (command instanceof Reserve reserve) {
                    for (Budget budget : locked.budgetsOf(reserve.orgId(), reserve.agentName())) {
                        addSpec(specs, budget, now);
                    }
                } else {
                    Ingest ingest = (Ingest) command;
                    for (SpendEvent event : ingest.events()) {
                        for (Budget budget : locked.budgetsOf(ingest.orgId(), event.agentName())) {
                            addSpec(specs, budget, event.occurredAt());
                            addSpec(specs, budget, now); // the current window decides the 429
                        }
                    }
                }
            }
            return specs;
        }

        private void addSpec(Map<WindowRef, WindowSpec> specs, Budget budget, Instant at) {
            WindowSpec spec = new WindowSpec(budget, budget.windowAt(at));
            specs.putIfAbsent(spec.ref(), spec);
        }

        // Step 5: spend events, deduplicated by the unique index on (org, idempotency_key), before
        // the windows are locked: the bulk of an ingest transaction's work does not serialize the
        // org's spend, and batches of two lanes insert side by side.
        private NewEvents insertEvents(RoundTrip trip, List<Ingest> ingests, Map<WindowRef, Long> windowIds) {
            List<NewEvent> events = new ArrayList<>();
            for (Ingest ingest : ingests) {
                for (SpendEvent event : ingest.events()) {
                    List<Long> ids = locked.refsAt(ingest.orgId(), event.agentName(), event.occurredAt(),
                                    event.provider(), event.model()).stream()
                            .map(ref -> created(windowIds.get(ref), ref)).toList();
                    events.add(new NewEvent(ingest.orgId(), locked.agentId(ingest.orgId(), event.agentName()), event, ids));
                }
            }
            return new NewEvents(events, spendEvents.insertEvents(trip, events));
        }

        // Keys the insert skipped were recorded before (a committed row: a concurrent insert of the
        // same key made this one wait until it committed, or inserted nothing if it rolled back).
        private void recallSkippedEvents(NewEvents events) {
            locked.eventKeysInserted(events.inserted().get());
            Map<String, Set<String>> skipped = new HashMap<>();
            for (NewEvent event : events.events()) {
                String key = event.event().idempotencyKey();
                if (key != null && !locked.eventKeyInserted(event.orgId(), key)) {
                    skipped.computeIfAbsent(event.orgId(), o -> new TreeSet<>()).add(key);
                }
            }
            for (Map.Entry<String, Set<String>> entry : skipped.entrySet()) {
                locked.eventsRecorded(entry.getKey(), spendEvents.eventPayloads(entry.getKey(), entry.getValue()));
            }
        }

        // Step 6: every window the batch touches, in one statement: those of step 4 and those of
        // the reservations being committed or released.
        private Set<Long> resolvedWindows() {
            Set<Long> resolvedWindows = new TreeSet<>();
            for (LedgerCommand command : batch) {
                UUID id = command instanceof Commit c ? c.reservationId()
                        : command instanceof Release r ? r.reservationId() : null;
                StoredReservation stored = id == null ? null : locked.reservation(command.orgId(), id);
                if (stored != null) {
                    resolvedWindows.addAll(stored.reservation().windowIds());
                }
            }
            return resolvedWindows;
        }
    }

    private static Long created(Long windowId, WindowRef ref) {
        if (windowId == null) {
            throw new LedgerInvariantViolation("window " + ref + " was not created");
        }
        return windowId;
    }
}
