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
import io.kavach.ledger.core.WindowSpec;
import io.kavach.ledger.core.WindowSpec.WindowRef;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.ApplicableBudgetStore;
import io.kavach.ledger.store.DefaultBudgetStore;
import io.kavach.ledger.store.LedgerStore;
import io.kavach.ledger.store.ReservationStore;
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
import java.util.stream.Collectors;

/**
 * The "lock and load" half of a ledger batch: it takes the batch's locks in the order written in
 * {@link LedgerStore} and reads what the decisions need into a {@link LockedLedger}.
 * Creating agents, windows and spend events happens here because each is a lock step of its own;
 * nothing here decides an outcome.
 */
@ApplicationScoped
public class LedgerLoader {

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
     * decisions depend on, in the caller's transaction.
     */
    public LockedLedger lockAndLoad(List<? extends LedgerCommand> batch, Instant now) {
        return new Load(batch, now).run();
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

        LockedLedger run() {
            // Step 1: the orgs' budget definitions, shared (ADR 0008).
            store.shareBudgetDefinitions(batch.stream().map(LedgerCommand::orgId)
                    .collect(Collectors.toCollection(TreeSet::new)));
            lockReservations();
            findIdempotencyKeys();
            resolveAgentsAndBudgets();
            Map<WindowRef, WindowSpec> specs = windowSpecs();
            store.ensureWindows(specs.values());
            insertEvents(specs);
            lockWindows(specs);
            return locked;
        }

        // Step 2: reservation rows of commits and releases, each only in the org that names it, so
        // another org's id locks nothing.
        private void lockReservations() {
            Map<UUID, Set<String>> orgs = new TreeMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Commit commit) {
                    orgs.computeIfAbsent(commit.reservationId(), id -> new TreeSet<>()).add(commit.orgId());
                } else if (command instanceof Release release) {
                    orgs.computeIfAbsent(release.reservationId(), id -> new TreeSet<>()).add(release.orgId());
                }
            }
            locked.reservationsLocked(reservations.lockReservations(orgs));
        }

        private void findIdempotencyKeys() {
            Map<String, Set<String>> keysByOrg = new HashMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && reserve.idempotencyKey() != null) {
                    keysByOrg.computeIfAbsent(reserve.orgId(), o -> new TreeSet<>()).add(reserve.idempotencyKey());
                }
            }
            for (Map.Entry<String, Set<String>> entry : keysByOrg.entrySet()) {
                locked.reservationsUnderKeys(entry.getKey(),
                        reservations.findByIdempotencyKeys(entry.getKey(), entry.getValue()));
            }
        }

        // Step 3: agents (created on first use), whether they are paused, the org's default budgets
        // they lack (ADR 0015), and what applies to them.
        // The pause is read here, inside the transaction, so a pause committed before the request
        // was sent always stops it.
        private void resolveAgentsAndBudgets() {
            Map<String, Set<String>> namesByOrg = new HashMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && !locked.isReplay(reserve)) {
                    namesByOrg.computeIfAbsent(reserve.orgId(), o -> new TreeSet<>()).add(reserve.agentName());
                } else if (command instanceof Ingest ingest) {
                    Set<String> names = namesByOrg.computeIfAbsent(ingest.orgId(), o -> new TreeSet<>());
                    ingest.events().forEach(e -> names.add(e.agentName()));
                }
            }
            for (Map.Entry<String, Set<String>> entry : namesByOrg.entrySet()) {
                Map<String, ResolvedAgent> found = agents.resolveWithin(entry.getKey(), entry.getValue(),
                        limits.agentsPerOrg());
                List<Long> ids = found.values().stream().map(ResolvedAgent::id).toList();
                // The org's default budgets an agent lacks are made now, so they apply to this spend.
                defaults.applyTo(entry.getKey(), new TreeSet<>(ids), now);
                locked.agentsResolved(entry.getKey(), found, applicable.forAgents(entry.getKey(), ids));
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
        private void insertEvents(Map<WindowRef, WindowSpec> specs) {
            List<Ingest> ingests = batch.stream().filter(c -> c instanceof Ingest && needsWindows(c))
                    .map(Ingest.class::cast).toList();
            if (ingests.isEmpty()) {
                return;
            }
            Map<WindowRef, Long> windowIds = store.windowIds(specs.keySet());
            List<NewEvent> events = new ArrayList<>();
            for (Ingest ingest : ingests) {
                for (SpendEvent event : ingest.events()) {
                    List<Long> ids = locked.refsAt(ingest.orgId(), event.agentName(), event.occurredAt(),
                                    event.provider(), event.model()).stream()
                            .map(ref -> created(windowIds.get(ref), ref)).toList();
                    events.add(new NewEvent(ingest.orgId(), locked.agentId(ingest.orgId(), event.agentName()), event, ids));
                }
            }
            Map<String, Set<String>> inserted = spendEvents.insertEvents(events);
            locked.eventKeysInserted(inserted);
            // Keys the insert skipped were recorded before (a committed row: a concurrent insert of
            // the same key made this one wait until it committed, or inserted nothing if it rolled back).
            Map<String, Set<String>> skipped = new HashMap<>();
            for (NewEvent event : events) {
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
        private void lockWindows(Map<WindowRef, WindowSpec> specs) {
            Set<Long> resolvedWindows = new TreeSet<>();
            for (LedgerCommand command : batch) {
                UUID id = command instanceof Commit c ? c.reservationId()
                        : command instanceof Release r ? r.reservationId() : null;
                StoredReservation stored = id == null ? null : locked.reservation(command.orgId(), id);
                if (stored != null) {
                    resolvedWindows.addAll(stored.reservation().windowIds());
                }
            }
            locked.windowsLocked(store.lockWindows(specs.keySet(), resolvedWindows));
        }
    }

    private static Long created(Long windowId, WindowRef ref) {
        if (windowId == null) {
            throw new LedgerInvariantViolation("window " + ref + " was not created");
        }
        return windowId;
    }
}
