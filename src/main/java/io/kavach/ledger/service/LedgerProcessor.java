package io.kavach.ledger.service;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Admission;
import io.kavach.ledger.core.AgentPause;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerCommand.Commit;
import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Release;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.ReservationStatus;
import io.kavach.ledger.core.WindowBalance;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.ApplicableBudgetStore;
import io.kavach.ledger.store.JournalEntry;
import io.kavach.ledger.store.JournalEntry.Kind;
import io.kavach.ledger.store.LedgerStore;
import io.kavach.ledger.store.LedgerStore.EventPayload;
import io.kavach.ledger.store.LedgerStore.NewEvent;
import io.kavach.ledger.store.LedgerStore.NewReservation;
import io.kavach.ledger.store.StoredReservation;
import io.kavach.ledger.store.WindowSpec;
import io.kavach.ledger.store.WindowSpec.WindowRef;
import io.kavach.ledger.security.KnownApiKeys;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Applies a batch of ledger commands in one transaction: it locks everything the batch touches
 * (in the global lock order of {@link LedgerStore}), decides each command in arrival order
 * against the running totals of the locked windows, then writes counters, reservations, journal
 * entries and events once. Each command is answered exactly as if it had been alone. A request
 * is a batch of one; the group-commit path hands in larger batches.
 */
@ApplicationScoped
public class LedgerProcessor {

    private static final Logger LOG = Logger.getLogger(LedgerProcessor.class);
    /** Attempts of one batch when PostgreSQL reports a deadlock, lock timeout or a lost idempotency race. */
    static final int ATTEMPTS_MAX = 3;

    @Inject
    AgroalDataSource dataSource;
    @Inject
    LedgerStore store;
    @Inject
    AgentStore agents;
    @Inject
    ApplicableBudgetStore applicable;
    @Inject
    Clock clock;
    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;
    @Inject
    KnownApiKeys knownKeys;
    @Inject
    OrgLimits limits;
    /** Alert rules whose threshold this batch's bookings reached go to the outbox in this transaction (ADR 0011). */
    @Inject
    io.kavach.ledger.alert.AlertFiring alertFiring;

    /** Outcomes in the order of {@code batch}, for callers whose credentials are already checked. */
    public List<LedgerOutcome> process(List<? extends LedgerCommand> batch) {
        return process(batch, java.util.Collections.nCopies(batch.size(), null));
    }

    /**
     * Outcomes in the order of {@code batch}. {@code keyHashes.get(i)} is the hash of the API key
     * of command i whose revocation is not checked yet, or null. Those keys are checked first, in
     * the batch's transaction; a command whose key is not live is {@link LedgerOutcome.Unauthorized}
     * and touches nothing. Nothing is acknowledged before the transaction commits.
     */
    public List<LedgerOutcome> process(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        if (keyHashes.size() != batch.size()) {
            throw new IllegalArgumentException("one key hash (or null) per command");
        }
        List<LedgerOutcome> outcomes = attempt(batch, keyHashes);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof LedgerOutcome.Unauthorized) {
                knownKeys.forget(keyHashes.get(i));
            }
        }
        return outcomes;
    }

    private List<LedgerOutcome> attempt(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> apply(batch, keyHashes));
            } catch (RuntimeException e) {
                String cause = retryCause(e);
                if (cause == null || attempt >= ATTEMPTS_MAX) {
                    throw e;
                }
                // Counted so that a deadlock, which the lock order rules out, would never go unseen.
                metrics.counter("kavach.ledger.retries", "cause", cause).increment();
                LOG.debugf("retrying ledger batch of %s commands after %s (attempt %s)", (Object) batch.size(), e.toString(), (Object) attempt);
            }
        }
    }

    /** Expires up to {@code limit} pending holds whose time is up; returns how many. */
    public int expire(int limit) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = now();
            try (Connection connection = dataSource.getConnection()) {
                List<StoredReservation> expired = store.lockExpired(connection, now, limit);
                if (expired.isEmpty()) {
                    return 0;
                }
                Set<Long> windowIds = new TreeSet<>();
                expired.forEach(s -> windowIds.addAll(s.reservation().windowIds()));
                Map<Long, WindowBalance> windows = store.lockWindows(connection, List.of(), windowIds);
                List<Reservation> updated = new ArrayList<>();
                List<JournalEntry> journal = new ArrayList<>();
                for (StoredReservation stored : expired) {
                    Reservation r = stored.reservation();
                    r.windowIds().forEach(id -> windows.get(id).releaseHold(r.amount()));
                    updated.add(r.resolved(ReservationStatus.EXPIRED, null, now, false, false, null, null));
                    journal.add(new JournalEntry(r.orgId(), Kind.EXPIRE, r.id(), r.windowIds(), r.amount().negate(), Money.ZERO));
                }
                store.updateWindows(connection, windows.values());
                store.updateReservations(connection, updated);
                store.insertJournal(connection, journal);
                return expired.size();
            }
        });
    }

    /** PostgreSQL keeps microseconds; deciding with the same precision makes replays identical. */
    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
    }

    private List<LedgerOutcome> apply(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) throws SQLException {
        Instant now = now();
        try (Connection connection = dataSource.getConnection()) {
            boolean[] refused = refusedKeys(connection, keyHashes);
            if (refused == null) {
                return new Run(connection, batch, now).execute();
            }
            // Commands with a revoked key are left out entirely: no agent, window or row is touched.
            List<LedgerCommand> allowed = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (!refused[i]) {
                    allowed.add(batch.get(i));
                }
            }
            List<LedgerOutcome> decided = allowed.isEmpty() ? List.of() : new Run(connection, allowed, now).execute();
            List<LedgerOutcome> outcomes = new ArrayList<>(batch.size());
            int next = 0;
            for (int i = 0; i < batch.size(); i++) {
                outcomes.add(refused[i] ? new LedgerOutcome.Unauthorized() : decided.get(next++));
            }
            return List.copyOf(outcomes);
        }
    }

    /**
     * 0. The batch's first statement (it takes no lock): which unchecked API keys are still live.
     * Returns which commands to refuse, or null when there is none.
     */
    private boolean[] refusedKeys(Connection connection, List<byte[]> keyHashes) throws SQLException {
        Map<String, byte[]> unchecked = new LinkedHashMap<>();
        for (byte[] hash : keyHashes) {
            if (hash != null) {
                unchecked.putIfAbsent(java.util.HexFormat.of().formatHex(hash), hash);
            }
        }
        if (unchecked.isEmpty()) {
            return null;
        }
        Set<String> live = store.liveKeyHashes(connection, unchecked.values());
        if (live.size() == unchecked.size()) {
            return null;
        }
        boolean[] refused = new boolean[keyHashes.size()];
        for (int i = 0; i < refused.length; i++) {
            byte[] hash = keyHashes.get(i);
            refused[i] = hash != null && !live.contains(java.util.HexFormat.of().formatHex(hash));
        }
        return refused;
    }

    /** The state of one batch while it is being applied. */
    private final class Run {
        private final Connection connection;
        private final List<? extends LedgerCommand> batch;
        private final Instant now;
        private final LedgerOutcome[] outcomes;
        /** Commands decided before the windows (an agent the org may not create): left out of every later step. */
        private final LedgerOutcome[] refused;

        private final Map<UUID, Reservation> reservations = new HashMap<>();
        private final Map<UUID, Long> reservationAgentIds = new HashMap<>();
        /** Booked spend for the daily rollup, and refusals for the refusal log (ADR 0010). */
        private final List<LedgerStore.RollupRow> rollup = new ArrayList<>();
        private final List<LedgerStore.RefusalRow> refusals = new ArrayList<>();
        private final Map<String, Map<String, StoredReservation>> existingKeys = new HashMap<>();
        private final Map<String, Map<String, Long>> agentIds = new HashMap<>();
        /** Paused agents of the batch, by org and name, as the agent resolution read them (ADR 0007). */
        private final Map<String, Map<String, AgentPause>> pauses = new HashMap<>();
        private final Map<String, Map<Long, List<Budget>>> budgetsByAgent = new HashMap<>();
        private final Map<WindowRef, WindowBalance> windowsByRef = new HashMap<>();
        private Map<Long, WindowBalance> windowsById = new LinkedHashMap<>();
        private final Map<String, Set<String>> insertedEventKeys = new HashMap<>();
        /**
         * Event keys booked in this batch, with what their first event was (a key is booked by
         * its first event only); and, for keys recorded before this batch, what was recorded.
         * Another event under the same key is a duplicate only if it is the same event.
         */
        private final Map<String, EventPayload> claimedEventKeys = new HashMap<>();
        private final Map<String, Map<String, EventPayload>> recordedEventKeys = new HashMap<>();

        private final List<NewReservation> newReservations = new ArrayList<>();
        private final Map<UUID, Reservation> changedReservations = new LinkedHashMap<>();
        private final List<JournalEntry> journal = new ArrayList<>();

        Run(Connection connection, List<? extends LedgerCommand> batch, Instant now) {
            this.connection = connection;
            this.batch = batch;
            this.now = now;
            this.outcomes = new LedgerOutcome[batch.size()];
            this.refused = new LedgerOutcome[batch.size()];
        }

        List<LedgerOutcome> execute() throws SQLException {
            // 0. Before any row lock: the orgs' budget definitions, shared (ADR 0008).
            store.shareBudgetDefinitions(connection, batch.stream().map(LedgerCommand::orgId).collect(
                    java.util.stream.Collectors.toCollection(TreeSet::new)));
            lockReservations();
            findIdempotencyKeys();
            resolveAgentsAndBudgets();
            Map<WindowRef, WindowSpec> specs = windowSpecs();
            store.ensureWindows(connection, specs.values());
            insertEvents(specs);
            lockWindows(specs);
            for (int i = 0; i < batch.size(); i++) {
                outcomes[i] = refused[i] != null ? refused[i] : decide(i, batch.get(i));
            }
            write();
            return List.of(outcomes);
        }

        // 1. Reservation rows first (ascending id), for commits and releases; each only in the org
        //    that names it, so another org's id locks nothing.
        private void lockReservations() throws SQLException {
            Map<UUID, Set<String>> orgs = new java.util.TreeMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Commit commit) {
                    orgs.computeIfAbsent(commit.reservationId(), id -> new TreeSet<>()).add(commit.orgId());
                } else if (command instanceof Release release) {
                    orgs.computeIfAbsent(release.reservationId(), id -> new TreeSet<>()).add(release.orgId());
                }
            }
            store.lockReservations(connection, orgs).forEach((id, stored) -> {
                reservations.put(id, stored.reservation());
                reservationAgentIds.put(id, stored.agentId());
            });
        }

        private void findIdempotencyKeys() throws SQLException {
            Map<String, Set<String>> keysByOrg = new HashMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && reserve.idempotencyKey() != null) {
                    keysByOrg.computeIfAbsent(reserve.orgId(), o -> new TreeSet<>()).add(reserve.idempotencyKey());
                }
            }
            for (Map.Entry<String, Set<String>> entry : keysByOrg.entrySet()) {
                existingKeys.put(entry.getKey(), store.findByIdempotencyKeys(connection, entry.getKey(), entry.getValue()));
            }
        }

        // 2. Agents (created on first use), whether they are paused, and what applies to them. The
        //    pause is read here, inside the transaction, so a pause committed before the request was
        //    sent always stops it.
        private void resolveAgentsAndBudgets() {
            Map<String, Set<String>> namesByOrg = new HashMap<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Reserve reserve && !isReplay(reserve)) {
                    namesByOrg.computeIfAbsent(reserve.orgId(), o -> new TreeSet<>()).add(reserve.agentName());
                } else if (command instanceof Ingest ingest) {
                    Set<String> names = namesByOrg.computeIfAbsent(ingest.orgId(), o -> new TreeSet<>());
                    ingest.events().forEach(e -> names.add(e.agentName()));
                }
            }
            for (Map.Entry<String, Set<String>> entry : namesByOrg.entrySet()) {
                Map<String, Long> ids = new HashMap<>();
                Map<String, AgentPause> paused = new HashMap<>();
                agents.resolveWithin(entry.getKey(), entry.getValue(), limits.agentsPerOrg()).forEach((name, agent) -> {
                    ids.put(name, agent.id());
                    if (agent.pause() != null) {
                        paused.put(name, agent.pause());
                    }
                });
                agentIds.put(entry.getKey(), ids);
                pauses.put(entry.getKey(), paused);
                budgetsByAgent.put(entry.getKey(), applicable.forAgents(entry.getKey(), ids.values()));
                if (ids.size() < entry.getValue().size()) {
                    refuseCommandsNamingMissingAgents(entry.getKey(), ids);
                }
            }
        }

        /** The org may not create more agents: each command that needs one it lacks fails alone. */
        private void refuseCommandsNamingMissingAgents(String orgId, Map<String, Long> ids) {
            int max = limits.agentsPerOrg();
            LedgerOutcome limitReached = new LedgerOutcome.LimitReached(io.kavach.ledger.core.OrgLimit.AGENTS, max,
                    AgentStore.limitReached(max).detail());
            for (int i = 0; i < batch.size(); i++) {
                LedgerCommand command = batch.get(i);
                if (!command.orgId().equals(orgId)) {
                    continue;
                }
                if (command instanceof Reserve reserve && !isReplay(reserve) && !ids.containsKey(reserve.agentName())
                        || command instanceof Ingest ingest
                        && ingest.events().stream().anyMatch(e -> !ids.containsKey(e.agentName()))) {
                    refused[i] = limitReached;
                }
            }
        }

        // 3. The windows the batch's reservations and events fall in (created if missing, before
        //    anything else is written), by budget and start.
        private Map<WindowRef, WindowSpec> windowSpecs() {
            Map<WindowRef, WindowSpec> specs = new LinkedHashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                LedgerCommand command = batch.get(i);
                if (refused[i] != null) {
                    continue;
                }
                if (command instanceof Reserve reserve && !isReplay(reserve)) {
                    for (Budget budget : budgetsOf(reserve.orgId(), reserve.agentName())) {
                        addSpec(specs, budget, now);
                    }
                } else if (command instanceof Ingest ingest) {
                    for (SpendEvent event : ingest.events()) {
                        for (Budget budget : budgetsOf(ingest.orgId(), event.agentName())) {
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

        // 4. Spend events, deduplicated by the unique index on (org, idempotency_key), before the
        //    windows are locked: the bulk of an ingest transaction's work does not serialize the
        //    org's spend, and batches of two lanes insert side by side.
        private void insertEvents(Map<WindowRef, WindowSpec> specs) throws SQLException {
            if (batch.stream().noneMatch(Ingest.class::isInstance)) {
                return;
            }
            Map<WindowRef, Long> windowIds = store.windowIds(connection, specs.keySet());
            List<NewEvent> events = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i) instanceof Ingest ingest && refused[i] == null) {
                    for (SpendEvent event : ingest.events()) {
                        List<Long> ids = refsAt(ingest.orgId(), event.agentName(), event.occurredAt()).stream()
                                .map(ref -> present(windowIds.get(ref), ref, "was not created")).toList();
                        events.add(new NewEvent(ingest.orgId(), agentId(ingest.orgId(), event.agentName()), event, ids));
                    }
                }
            }
            insertedEventKeys.putAll(store.insertEvents(connection, events));
            // Keys the insert skipped were recorded before (a committed row: a concurrent insert of
            // the same key made this one wait until it committed, or inserted nothing if it rolled back).
            Map<String, Set<String>> skipped = new HashMap<>();
            for (NewEvent event : events) {
                String key = event.event().idempotencyKey();
                if (key != null && !insertedEventKeys.getOrDefault(event.orgId(), Set.of()).contains(key)) {
                    skipped.computeIfAbsent(event.orgId(), o -> new TreeSet<>()).add(key);
                }
            }
            for (Map.Entry<String, Set<String>> entry : skipped.entrySet()) {
                recordedEventKeys.put(entry.getKey(), store.eventPayloads(connection, entry.getKey(), entry.getValue()));
            }
        }

        // 5. Every window the batch touches, locked in one statement: those of step 3 and those
        //    of the reservations being committed or released.
        private void lockWindows(Map<WindowRef, WindowSpec> specs) throws SQLException {
            Set<Long> ids = new TreeSet<>();
            for (LedgerCommand command : batch) {
                if (command instanceof Commit || command instanceof Release) {
                    UUID id = command instanceof Commit c ? c.reservationId() : ((Release) command).reservationId();
                    Reservation r = reservations.get(id);
                    if (r != null) {
                        ids.addAll(r.windowIds());
                    }
                }
            }
            windowsById = store.lockWindows(connection, specs.keySet(), ids);
            for (WindowBalance balance : windowsById.values()) {
                windowsByRef.put(new WindowRef(balance.budget().id(), balance.window().start()), balance);
            }
        }

        // 6. Decisions, in arrival order, against the running totals.
        private LedgerOutcome decide(int index, LedgerCommand command) {
            if (command instanceof Reserve reserve) {
                return reserve(index, reserve);
            } else if (command instanceof Commit commit) {
                return commit(commit);
            } else if (command instanceof Release release) {
                return release(release);
            }
            return ingest((Ingest) command);
        }

        private LedgerOutcome reserve(int index, Reserve reserve) {
            String key = reserve.idempotencyKey();
            if (key != null) {
                StoredReservation existing = existingKeys.getOrDefault(reserve.orgId(), Map.of()).get(key);
                if (existing != null) {
                    return reserve.fingerprint().equals(existing.fingerprint())
                            ? existing.firstOutcome() : new LedgerOutcome.KeyReused(key);
                }
                for (int earlier = 0; earlier < index; earlier++) {
                    if (batch.get(earlier) instanceof Reserve first && reserve.orgId().equals(first.orgId())
                            && key.equals(first.idempotencyKey())) {
                        return reserve.fingerprint().equals(first.fingerprint())
                                ? outcomes[earlier] : new LedgerOutcome.KeyReused(key);
                    }
                }
            }
            AgentPause pause = pauseOf(reserve.orgId(), reserve.agentName());
            if (pause != null) {
                // Not kept under the idempotency key: a retry after the resume is admitted.
                refuse(reserve.orgId(), agentId(reserve.orgId(), reserve.agentName()), "reservation", "agent_paused", "");
                return new LedgerOutcome.Paused(reserve.agentName(), pause);
            }
            List<WindowBalance> windows = windowsAt(reserve.orgId(), reserve.agentName(), now);
            long agentId = agentId(reserve.orgId(), reserve.agentName());
            UUID id = Ids.newId(now);
            var refusal = Admission.refusal(windows, reserve.amount());
            if (refusal.isPresent()) {
                LedgerOutcome refused = new LedgerOutcome.Refused(refusal.get().state(), reserve.amount(), now);
                BudgetState binding = refusal.get().state();
                refuse(reserve.orgId(), agentId, "reservation", binding.key().scope().exceededReason(),
                        binding.key().toString());
                if (key != null) {
                    Reservation rejected = new Reservation(id, reserve.orgId(), reserve.agentName(),
                            ReservationStatus.REJECTED, reserve.amount(), null, reserve.ttlSeconds(),
                            now.plusSeconds(reserve.ttlSeconds()), now, now, false, false, reserve.provider(),
                            reserve.model(), reserve.runId(), null, null, List.of());
                    newReservations.add(new NewReservation(rejected, agentId, key, reserve.fingerprint(), refused));
                }
                return refused;
            }
            windows.forEach(w -> w.hold(reserve.amount()));
            List<Long> windowIds = windows.stream().map(WindowBalance::windowId).toList();
            Reservation held = new Reservation(id, reserve.orgId(), reserve.agentName(), ReservationStatus.PENDING,
                    reserve.amount(), null, reserve.ttlSeconds(), now.plusSeconds(reserve.ttlSeconds()), now, null,
                    false, false, reserve.provider(), reserve.model(), reserve.runId(), null, null, windowIds);
            LedgerOutcome outcome = new LedgerOutcome.Held(held, windows.stream().map(WindowBalance::state).toList());
            newReservations.add(new NewReservation(held, agentId, key, reserve.fingerprint(), key == null ? null : outcome));
            journal.add(new JournalEntry(reserve.orgId(), Kind.HOLD, id, windowIds, reserve.amount(), Money.ZERO));
            return outcome;
        }

        private LedgerOutcome commit(Commit commit) {
            Reservation r = owned(commit.orgId(), commit.reservationId());
            if (r == null) {
                return new LedgerOutcome.NotFound("Reservation " + commit.reservationId());
            }
            switch (r.status()) {
                case COMMITTED:
                    return commit.cost().equals(r.cost()) ? new LedgerOutcome.Resolved(r)
                            : new LedgerOutcome.Conflict("reservation_already_committed",
                            "Reservation " + r.id() + " was already committed with cost " + r.cost()
                                    + "; a commit is final", r);
                case RELEASED:
                    return new LedgerOutcome.Conflict("reservation_released",
                            "Reservation " + r.id() + " was released; it can no longer be committed", r);
                case PENDING, EXPIRED:
                    break;
                default:
                    return new LedgerOutcome.NotFound("Reservation " + commit.reservationId());
            }
            boolean stillHeld = r.status() == ReservationStatus.PENDING;
            for (Long windowId : r.windowIds()) {
                WindowBalance window = windowsById.get(windowId);
                if (stillHeld) {
                    window.releaseHold(r.amount());
                }
                // Money was spent: the ledger books it even after expiry or past the limit.
                window.book(commit.cost());
            }
            addToRollup(r.orgId(), reservationAgentIds.get(r.id()), r.createdAt(), r.provider(), r.model(),
                    commit.cost(), commit.inputTokens(), commit.outputTokens(),
                    r.windowIds().stream().map(id -> windowsById.get(id).budget().id()).toList());
            Reservation committed = r.resolved(ReservationStatus.COMMITTED, commit.cost(), now,
                    commit.cost().compareTo(r.amount()) > 0, r.expiredAt(now) || !stillHeld,
                    commit.inputTokens(), commit.outputTokens());
            remember(committed);
            journal.add(new JournalEntry(r.orgId(), Kind.COMMIT, r.id(), r.windowIds(),
                    stillHeld ? r.amount().negate() : Money.ZERO, commit.cost()));
            return new LedgerOutcome.Resolved(committed);
        }

        private LedgerOutcome release(Release release) {
            Reservation r = owned(release.orgId(), release.reservationId());
            if (r == null) {
                return new LedgerOutcome.NotFound("Reservation " + release.reservationId());
            }
            switch (r.status()) {
                case RELEASED, EXPIRED:
                    return new LedgerOutcome.Resolved(r);
                case COMMITTED:
                    return new LedgerOutcome.Conflict("reservation_already_committed",
                            "Reservation " + r.id() + " was committed; a commit is final and cannot be released", r);
                case PENDING:
                    break;
                default:
                    return new LedgerOutcome.NotFound("Reservation " + release.reservationId());
            }
            r.windowIds().forEach(id -> windowsById.get(id).releaseHold(r.amount()));
            Reservation released = r.resolved(ReservationStatus.RELEASED, null, now, false, false, null, null);
            remember(released);
            journal.add(new JournalEntry(r.orgId(), Kind.RELEASE, r.id(), r.windowIds(), r.amount().negate(), Money.ZERO));
            return new LedgerOutcome.Resolved(released);
        }

        private LedgerOutcome ingest(Ingest ingest) {
            int accepted = 0;
            int duplicates = 0;
            List<Integer> keyReused = new ArrayList<>();
            Set<String> insertedKeys = insertedEventKeys.getOrDefault(ingest.orgId(), Set.of());
            Set<String> agentNames = new TreeSet<>();
            for (int i = 0; i < ingest.events().size(); i++) {
                SpendEvent event = ingest.events().get(i);
                agentNames.add(event.agentName());
                String key = event.idempotencyKey();
                long agentId = agentId(ingest.orgId(), event.agentName());
                // A key the store inserted is booked once: by its first event in the batch.
                boolean inserted = key == null || insertedKeys.contains(key) && claimEventKey(ingest.orgId(), key,
                        new EventPayload(agentId, event.cost(), event.occurredAt()));
                if (!inserted) {
                    EventPayload first = insertedKeys.contains(key) ? claimedEventKeys.get(eventKey(ingest.orgId(), key))
                            : recordedEventKeys.getOrDefault(ingest.orgId(), Map.of()).get(key);
                    if (first == null) {
                        throw new io.kavach.ledger.core.LedgerInvariantViolation(
                                "event key " + key + " was neither inserted nor found");
                    }
                    if (first.sameEvent(agentId, event)) {
                        duplicates++;
                    } else {
                        keyReused.add(i);
                    }
                    continue;
                }
                accepted++;
                List<WindowBalance> booked = windowsAt(ingest.orgId(), event.agentName(), event.occurredAt());
                booked.forEach(w -> w.book(event.cost()));
                addToRollup(ingest.orgId(), agentId, event.occurredAt(), event.provider(), event.model(), event.cost(),
                        event.inputTokens(), event.outputTokens(), booked.stream().map(w -> w.budget().id()).toList());
            }
            Map<Long, WindowBalance> current = new LinkedHashMap<>();
            SortedMap<String, AgentPause> paused = new TreeMap<>();
            List<String> rejectedAgents = new ArrayList<>();
            for (String agent : agentNames) {
                List<WindowBalance> windows = windowsAt(ingest.orgId(), agent, now);
                windows.forEach(w -> current.putIfAbsent(w.windowId(), w));
                AgentPause pause = pauseOf(ingest.orgId(), agent);
                if (pause != null) {
                    paused.put(agent, pause);
                    refuse(ingest.orgId(), agentId(ingest.orgId(), agent), "ingest", "agent_paused", "");
                }
                List<WindowBalance> agentExhausted = Admission.exhausted(windows);
                for (WindowBalance window : agentExhausted) {
                    BudgetState state = window.state();
                    refuse(ingest.orgId(), agentId(ingest.orgId(), agent), "ingest",
                            state.key().scope().exceededReason(), state.key().toString());
                }
                if (pause != null || !agentExhausted.isEmpty()) {
                    rejectedAgents.add(agent);
                }
            }
            List<BudgetState> exhausted = Admission.exhausted(List.copyOf(current.values())).stream()
                    .map(WindowBalance::state).toList();
            return new LedgerOutcome.Ingested(accepted, duplicates, List.copyOf(keyReused), exhausted, paused,
                    List.copyOf(rejectedAgents), now);
        }

        private void addToRollup(String orgId, long agentId, Instant at, String provider, String model, Money cost,
                                 Long inputTokens, Long outputTokens, List<UUID> budgetIds) {
            java.time.LocalDate day = at.atZone(java.time.ZoneOffset.UTC).toLocalDate();
            long input = inputTokens == null ? 0 : inputTokens;
            long output = outputTokens == null ? 0 : outputTokens;
            rollup.add(new LedgerStore.RollupRow(orgId, LedgerStore.RollupRow.ALL_SPEND, day, agentId, provider, model,
                    cost, input, output, 1));
            for (UUID budgetId : new TreeSet<>(budgetIds)) {
                rollup.add(new LedgerStore.RollupRow(orgId, budgetId, day, agentId, provider, model, cost, input, output, 1));
            }
        }

        private void refuse(String orgId, long agentId, String kind, String reason, String budgetKey) {
            refusals.add(new LedgerStore.RefusalRow(orgId, agentId, kind, reason, budgetKey, now, 1));
        }

        private boolean claimEventKey(String orgId, String key, EventPayload payload) {
            return claimedEventKeys.putIfAbsent(eventKey(orgId, key), payload) == null;
        }

        private static String eventKey(String orgId, String key) {
            return orgId + '\u001f' + key;
        }

        // 7. One write of everything decided.
        private void write() throws SQLException {
            store.updateWindows(connection, windowsById.values());
            alertFiring.fire(connection, windowsById.values(), now);
            if (!store.insertReservations(connection, newReservations)) {
                throw new IdempotencyRace();
            }
            store.updateReservations(connection, List.copyOf(changedReservations.values()));
            store.insertJournal(connection, journal);
            store.addToRollup(connection, rollup);
            store.recordRefusals(connection, refusals);
        }

        private boolean isReplay(Reserve reserve) {
            return reserve.idempotencyKey() != null
                    && existingKeys.getOrDefault(reserve.orgId(), Map.of()).containsKey(reserve.idempotencyKey());
        }

        private Reservation owned(String orgId, UUID id) {
            Reservation r = reservations.get(id);
            return r != null && r.orgId().equals(orgId) ? r : null;
        }

        private void remember(Reservation r) {
            reservations.put(r.id(), r);
            changedReservations.put(r.id(), r);
        }

        private List<Budget> budgetsOf(String orgId, String agentName) {
            return budgetsByAgent.get(orgId).get(agentId(orgId, agentName));
        }

        private AgentPause pauseOf(String orgId, String agentName) {
            return pauses.getOrDefault(orgId, Map.of()).get(agentName);
        }

        private long agentId(String orgId, String agentName) {
            return agentIds.get(orgId).get(agentName);
        }

        private List<WindowBalance> windowsAt(String orgId, String agentName, Instant at) {
            return refsAt(orgId, agentName, at).stream()
                    .map(ref -> present(windowsByRef.get(ref), ref, "was not locked")).toList();
        }

        /** The windows at {@code at} of every budget that applies to the agent, by budget and start. */
        private List<WindowRef> refsAt(String orgId, String agentName, Instant at) {
            return budgetsOf(orgId, agentName).stream()
                    .map(budget -> new WindowRef(budget.id(), budget.windowAt(at).start())).toList();
        }

        private static <T> T present(T found, WindowRef ref, String otherwise) {
            if (found == null) {
                throw new io.kavach.ledger.core.LedgerInvariantViolation("window " + ref + " " + otherwise);
            }
            return found;
        }
    }

    /** A concurrent transaction committed the same reservation idempotency key first. */
    static final class IdempotencyRace extends RuntimeException {
        IdempotencyRace() {
            super("idempotency key raced with a concurrent request", null, false, false);
        }
    }

    /** Why a failed batch may be retried as a whole, or null when it may not. */
    static String retryCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IdempotencyRace) {
                return "idempotency_race";
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                switch (sql.getSQLState()) {
                    case "40P01":
                        return "deadlock";
                    case "40001":
                        return "serialization_failure";
                    case "55P03":
                        return "lock_timeout";
                    default:
                        break;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
