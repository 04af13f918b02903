package io.kavach.ledger.core;

import io.kavach.ledger.core.JournalEntry.Kind;
import io.kavach.ledger.core.LedgerCommand.Commit;
import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Release;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;

/**
 * The ledger's decisions (docs/contract.md): given what a batch read under its locks and its
 * commands, each command's outcome, in arrival order, against the running totals of the locked
 * windows, and the writes that make them true. Each command is answered exactly as if it had been
 * alone. Pure: no I/O; time is the {@code now} it is given.

 *
 * <p>Over 300 lines because the five decisions share one batch's running totals, writes, rollup
 * and refusal rows: split apart, "as if alone" would have to be kept true across classes.
 */
public final class LedgerDecider {

    private final List<? extends LedgerCommand> batch;
    private final LockedLedger locked;
    private final Instant now;
    private final LedgerOutcome[] outcomes;
    private final LedgerWrites writes;
    /** Reservations as this batch left them so far (a commit after a release in one batch sees the release). */
    private final Map<UUID, Reservation> moved = new HashMap<>();
    /** Event keys booked in this batch, with their first event: a key is booked once, by its first event. */
    private final Map<String, RecordedEvent> claimedEventKeys = new HashMap<>();

    private LedgerDecider(List<? extends LedgerCommand> batch, LockedLedger locked, Instant now) {
        this.batch = batch;
        this.locked = locked;
        this.now = now;
        this.outcomes = new LedgerOutcome[batch.size()];
        this.writes = new LedgerWrites(locked.windows());
    }

    /** The batch's outcomes (in its order) and writes. */
    public record Decided(List<LedgerOutcome> outcomes, LedgerWrites writes) {
    }

    public static Decided decide(List<? extends LedgerCommand> batch, LockedLedger locked, Instant now) {
        LedgerDecider decider = new LedgerDecider(batch, locked, now);
        for (int i = 0; i < batch.size(); i++) {
            decider.outcomes[i] = decider.decide(i, batch.get(i));
        }
        return new Decided(List.of(decider.outcomes), decider.writes);
    }

    /** The expiry sweep: each pending hold whose time is up is freed from its (locked) windows. */
    public static LedgerWrites expire(List<Reservation> due, LockedLedger locked, Instant now) {
        LedgerWrites writes = new LedgerWrites(locked.windows());
        for (Reservation r : due) {
            Reservation expired = r.expired(now);
            r.windowIds().forEach(id -> locked.window(id).releaseHold(held(r, locked.window(id))));
            writes.update(expired);
            journal(writes, locked, Kind.EXPIRE, r, unit -> Usage.heldBy(r.request()).in(unit).negate(),
                    unit -> Money.ZERO);
        }
        return writes;
    }

    private LedgerOutcome decide(int index, LedgerCommand command) {
        if (locked.lacksAgent(command)) {
            int max = locked.agentsMax();
            return new LedgerOutcome.LimitReached(OrgLimit.AGENTS, max, OrgLimitReached.agents(max).detail());
        }
        if (command instanceof Reserve reserve) {
            return reserve(index, reserve);
        } else if (command instanceof Commit commit) {
            return commit(commit);
        } else if (command instanceof Release release) {
            return release(release);
        }
        return ingest((Ingest) command);
    }

    // ---------------------------------------------------------------- reserve

    private LedgerOutcome reserve(int index, Reserve reserve) {
        LedgerOutcome replayed = replay(index, reserve);
        if (replayed != null) {
            return replayed;
        }
        String orgId = reserve.orgId();
        long agentId = locked.agentId(orgId, reserve.agentName());
        AgentPause pause = locked.pauseOf(orgId, reserve.agentName());
        if (pause != null) {
            // Not kept under the idempotency key: a retry after the resume is admitted.
            refusal(orgId, agentId, "reservation", "agent_paused", "");
            return new LedgerOutcome.Paused(reserve.agentName(), pause);
        }
        List<WindowBalance> windows = covering(locked.windowsAt(orgId, reserve.agentName(), now),
                reserve.provider(), reserve.model());
        UUID id = Ids.newId(now);
        Reservation.Request request = Reservation.Request.of(reserve);
        Usage usage = Usage.heldBy(request);
        var refusing = Admission.refusal(windows, usage);
        if (refusing.isPresent()) {
            BudgetState binding = refusing.get().state();
            LedgerOutcome refused = new LedgerOutcome.Refused(binding, reserve.amount(), now);
            refusal(orgId, agentId, "reservation", binding.key().scope().exceededReason(), binding.key().toString());
            if (reserve.idempotencyKey() != null) {
                writes.insert(new NewReservation(Reservation.rejected(id, orgId, request, now), agentId,
                        reserve.idempotencyKey(), reserve.fingerprint(), refused));
            }
            return refused;
        }
        windows.forEach(w -> w.hold(usage.in(w.budget())));
        List<Long> windowIds = windows.stream().map(WindowBalance::windowId).toList();
        Reservation held = Reservation.held(id, orgId, request, now, windowIds);
        LedgerOutcome outcome = new LedgerOutcome.Held(held, windows.stream().map(WindowBalance::state).toList());
        writes.insert(new NewReservation(held, agentId, reserve.idempotencyKey(), reserve.fingerprint(),
                reserve.idempotencyKey() == null ? null : outcome));
        journal(Kind.HOLD, held, usage::in, unit -> Money.ZERO);
        return outcome;
    }

    /**
     * The answer to a reserve whose idempotency key was used before (in an earlier batch, or
     * earlier in this one): the first answer when it asks the same, {@code KeyReused} when not;
     * null for a key not used yet.
     */
    private LedgerOutcome replay(int index, Reserve reserve) {
        String key = reserve.idempotencyKey();
        if (key == null) {
            return null;
        }
        StoredReservation existing = locked.reservationUnderKey(reserve.orgId(), key);
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
        return null;
    }

    // ---------------------------------------------------------------- commit and release

    private LedgerOutcome commit(Commit commit) {
        Reservation r = current(commit.orgId(), commit.reservationId());
        if (r == null) {
            return notFound(commit.reservationId());
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
                return notFound(commit.reservationId());
        }
        boolean stillHeld = r.status() == ReservationStatus.PENDING;
        Usage usage = new Usage(commit.cost(), commit.inputTokens(), commit.outputTokens());
        for (Long windowId : r.windowIds()) {
            WindowBalance window = locked.window(windowId);
            if (stillHeld) {
                window.releaseHold(held(r, window));
            }
            // Money was spent: the ledger books it even after expiry or past the limit.
            window.book(usage.in(window.budget()));
        }
        long agentId = locked.reservation(r.orgId(), r.id()).agentId();
        addToRollup(r.orgId(), agentId, r.createdAt(), r.provider(), r.model(), usage,
                r.windowIds().stream().map(id -> locked.window(id).budget().id()).toList());
        Reservation committed = r.committed(now, commit.cost(), commit.inputTokens(), commit.outputTokens());
        remember(committed);
        Usage heldBy = Usage.heldBy(r.request());
        journal(Kind.COMMIT, r, unit -> stillHeld ? heldBy.in(unit).negate() : Money.ZERO, usage::in);
        return new LedgerOutcome.Resolved(committed);
    }

    private LedgerOutcome release(Release release) {
        Reservation r = current(release.orgId(), release.reservationId());
        if (r == null) {
            return notFound(release.reservationId());
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
                return notFound(release.reservationId());
        }
        r.windowIds().forEach(id -> locked.window(id).releaseHold(held(r, locked.window(id))));
        Reservation released = r.released(now);
        remember(released);
        journal(Kind.RELEASE, r, unit -> Usage.heldBy(r.request()).in(unit).negate(), unit -> Money.ZERO);
        return new LedgerOutcome.Resolved(released);
    }

    private static LedgerOutcome notFound(UUID reservationId) {
        return new LedgerOutcome.NotFound("Reservation " + reservationId);
    }

    /** What reservation {@code r} holds in {@code window}, in its budget's unit. */
    private static Money held(Reservation r, WindowBalance window) {
        return Usage.heldBy(r.request()).in(window.budget());
    }

    /** Those of {@code windows} whose budget counts a use of {@code model} through {@code provider}. */
    private static List<WindowBalance> covering(List<WindowBalance> windows, String provider, String model) {
        return windows.stream().filter(w -> w.budget().key().covers(provider, model)).toList();
    }

    private void journal(Kind kind, Reservation r, Function<BudgetType, Money> reserved,
                         Function<BudgetType, Money> spent) {
        journal(writes, locked, kind, r, reserved, spent);
    }

    /**
     * The journal entries of one step of {@code r}, given its deltas per unit: one entry per unit
     * naming that unit's windows, so the audit re-derives every window in its own unit. The USD
     * entry is written even when no cost budget applied (naming no window): opening balances
     * carry reservation spend in from it (ADR 0008).
     */
    private static void journal(LedgerWrites writes, LockedLedger locked, Kind kind, Reservation r,
                                Function<BudgetType, Money> reserved, Function<BudgetType, Money> spent) {
        Map<BudgetType, List<Long>> byUnit = new java.util.EnumMap<>(BudgetType.class);
        byUnit.put(BudgetType.COST, new ArrayList<>());
        for (Long id : r.windowIds()) {
            byUnit.computeIfAbsent(locked.window(id).budget().key().type(), t -> new ArrayList<>()).add(id);
        }
        byUnit.forEach((unit, ids) -> writes.journal(new JournalEntry(r.orgId(), kind, r.id(), ids,
                reserved.apply(unit), spent.apply(unit), unit)));
    }

    /** The reservation as this batch has left it so far, if {@code orgId} owns it. */
    private Reservation current(String orgId, UUID id) {
        StoredReservation stored = locked.reservation(orgId, id);
        return stored == null ? null : moved.getOrDefault(id, stored.reservation());
    }

    private void remember(Reservation r) {
        moved.put(r.id(), r);
        writes.update(r);
    }

    // ---------------------------------------------------------------- ingest

    private LedgerOutcome ingest(Ingest ingest) {
        String orgId = ingest.orgId();
        int accepted = 0;
        int duplicates = 0;
        List<Integer> keyReused = new ArrayList<>();
        Map<String, List<SpendEvent>> byAgent = new TreeMap<>();
        for (int i = 0; i < ingest.events().size(); i++) {
            SpendEvent event = ingest.events().get(i);
            byAgent.computeIfAbsent(event.agentName(), a -> new ArrayList<>()).add(event);
            long agentId = locked.agentId(orgId, event.agentName());
            RecordedEvent first = firstUnderKey(orgId, agentId, event);
            if (first == null) {
                accepted++;
                book(orgId, agentId, event);
            } else if (first.sameEvent(agentId, event)) {
                duplicates++;
            } else {
                keyReused.add(i);
            }
        }
        return ingestAnswer(orgId, byAgent, accepted, duplicates, keyReused);
    }

    /**
     * Null when {@code event} is booked now (no key, or the first event of a key this batch
     * inserted); otherwise what was booked first under its key.
     */
    private RecordedEvent firstUnderKey(String orgId, long agentId, SpendEvent event) {
        String key = event.idempotencyKey();
        if (key == null) {
            return null;
        }
        String claim = orgId + '\u001f' + key;
        if (locked.eventKeyInserted(orgId, key)) {
            RecordedEvent first = claimedEventKeys.putIfAbsent(claim,
                    new RecordedEvent(agentId, event.cost(), event.occurredAt()));
            return first;
        }
        return LockedLedger.present(locked.recordedEvent(orgId, key), "event key ", key);
    }

    private void book(String orgId, long agentId, SpendEvent event) {
        Usage usage = new Usage(event.cost(), event.inputTokens(), event.outputTokens());
        List<WindowBalance> booked = covering(locked.windowsAt(orgId, event.agentName(), event.occurredAt()),
                event.provider(), event.model());
        booked.forEach(w -> w.book(usage.in(w.budget())));
        addToRollup(orgId, agentId, event.occurredAt(), event.provider(), event.model(), usage,
                booked.stream().map(w -> w.budget().id()).toList());
    }

    /**
     * Whether the batch's agents must stop: paused, or an applicable budget exhausted now. A budget
     * that counts one model or provider stops an agent only if it reported a use it counts.
     */
    private LedgerOutcome ingestAnswer(String orgId, Map<String, List<SpendEvent>> byAgent, int accepted,
                                       int duplicates, List<Integer> keyReused) {
        Map<Long, WindowBalance> current = new LinkedHashMap<>();
        SortedMap<String, AgentPause> paused = new TreeMap<>();
        List<String> rejectedAgents = new ArrayList<>();
        for (Map.Entry<String, List<SpendEvent>> reported : byAgent.entrySet()) {
            String agent = reported.getKey();
            long agentId = locked.agentId(orgId, agent);
            List<WindowBalance> windows = locked.windowsAt(orgId, agent, now).stream()
                    .filter(w -> reported.getValue().stream()
                            .anyMatch(e -> w.budget().key().covers(e.provider(), e.model()))).toList();
            windows.forEach(w -> current.putIfAbsent(w.windowId(), w));
            AgentPause pause = locked.pauseOf(orgId, agent);
            if (pause != null) {
                paused.put(agent, pause);
                refusal(orgId, agentId, "ingest", "agent_paused", "");
            }
            List<WindowBalance> agentExhausted = Admission.exhausted(windows);
            for (WindowBalance window : agentExhausted) {
                BudgetKey key = window.budget().key();
                refusal(orgId, agentId, "ingest", key.scope().exceededReason(), key.toString());
            }
            if (pause != null || !agentExhausted.isEmpty()) {
                rejectedAgents.add(agent);
            }
        }
        List<BudgetState> exhausted = Admission.exhausted(List.copyOf(current.values())).stream()
                .map(WindowBalance::state).toList();
        return new LedgerOutcome.Ingested(accepted, duplicates, List.copyOf(keyReused), exhausted, paused,
                List.copyOf(rejectedAgents), current.values().stream().map(WindowBalance::state).toList(), now);
    }

    // ---------------------------------------------------------------- rollup and refusal log

    private void addToRollup(String orgId, long agentId, Instant at, String provider, String model, Usage usage,
                             List<UUID> budgetIds) {
        LocalDate day = at.atZone(ZoneOffset.UTC).toLocalDate();
        long input = usage.inputTokens() == null ? 0 : usage.inputTokens();
        long output = usage.outputTokens() == null ? 0 : usage.outputTokens();
        writes.rollup(new RollupRow(orgId, RollupRow.ALL_SPEND, day, agentId, provider, model, usage.cost(), input,
                output, 1));
        for (UUID budgetId : budgetIds) { // each once: the budgets whose windows the event was booked in
            writes.rollup(new RollupRow(orgId, budgetId, day, agentId, provider, model, usage.cost(), input, output, 1));
        }
    }

    private void refusal(String orgId, long agentId, String kind, String reason, String budgetKey) {
        writes.refusal(new RefusalRow(orgId, agentId, kind, reason, budgetKey, now, 1));
    }
}
