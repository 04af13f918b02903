package io.kavach.ledger.core;

import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.WindowSpec.WindowRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one ledger batch read under its locks, and so everything its decisions depend on: the
 * reservations it commits or releases, earlier reservations under its idempotency keys, its agents
 * (with their pauses) and the budgets that apply to them, which of its spend events' keys were new,
 * and the counters of every window it touches. The processor fills it in lock order
 * ({@code store/LedgerStore}); {@link LedgerDecider} decides against it. Plain data: a test builds
 * one by hand.
 */
public final class LockedLedger {

    private final int agentsMax;
    private final Map<UUID, StoredReservation> reservations = new HashMap<>();
    private final Map<String, Map<String, StoredReservation>> reservationsByKey = new HashMap<>();
    private final Map<String, Map<String, ResolvedAgent>> agents = new HashMap<>();
    private final Map<String, Map<Long, List<Budget>>> budgetsByAgent = new HashMap<>();
    private final Map<String, Set<String>> insertedEventKeys = new HashMap<>();
    private final Map<String, Map<String, RecordedEvent>> recordedEvents = new HashMap<>();
    private final Map<Long, WindowBalance> windowsById = new LinkedHashMap<>();
    private final Map<WindowRef, WindowBalance> windowsByRef = new HashMap<>();

    /** {@code agentsMax}: the org's cap on agents, named when a command needs one more. */
    public LockedLedger(int agentsMax) {
        this.agentsMax = agentsMax;
    }

    // ---------------------------------------------------------------- filled in, in lock order

    public LockedLedger reservationsLocked(Map<UUID, StoredReservation> locked) {
        reservations.putAll(locked);
        return this;
    }

    public LockedLedger reservationsUnderKeys(String orgId, Map<String, StoredReservation> byKey) {
        reservationsByKey.computeIfAbsent(orgId, o -> new HashMap<>()).putAll(byKey);
        return this;
    }

    /**
     * The org's agents the batch names, as found or created (a name missing here could not be
     * created under the cap), and the budgets that apply to each, by agent row id.
     */
    public LockedLedger agentsResolved(String orgId, Map<String, ResolvedAgent> byName,
                                       Map<Long, List<Budget>> applicable) {
        agents.computeIfAbsent(orgId, o -> new HashMap<>()).putAll(byName);
        budgetsByAgent.computeIfAbsent(orgId, o -> new HashMap<>()).putAll(applicable);
        return this;
    }

    /** Per org, the spend-event keys this batch inserted (the others were recorded before). */
    public LockedLedger eventKeysInserted(Map<String, Set<String>> byOrg) {
        byOrg.forEach((org, keys) -> insertedEventKeys.computeIfAbsent(org, o -> new HashSet<>()).addAll(keys));
        return this;
    }

    /** What the org's events recorded before this batch under keys it sends again were. */
    public LockedLedger eventsRecorded(String orgId, Map<String, RecordedEvent> byKey) {
        recordedEvents.computeIfAbsent(orgId, o -> new HashMap<>()).putAll(byKey);
        return this;
    }

    public LockedLedger windowsLocked(Map<Long, WindowBalance> locked) {
        locked.forEach((id, balance) -> {
            windowsById.put(id, balance);
            windowsByRef.put(new WindowRef(balance.budget().id(), balance.window().start()), balance);
        });
        return this;
    }

    // ---------------------------------------------------------------- read by the load steps and decisions

    public int agentsMax() {
        return agentsMax;
    }

    /** The locked reservation {@code id}, if the org {@code orgId} owns it. */
    public StoredReservation reservation(String orgId, UUID id) {
        StoredReservation stored = reservations.get(id);
        return stored != null && stored.reservation().orgId().equals(orgId) ? stored : null;
    }

    public StoredReservation reservationUnderKey(String orgId, String key) {
        return reservationsByKey.getOrDefault(orgId, Map.of()).get(key);
    }

    /** A reserve whose idempotency key was used before this batch: it is answered from the first answer. */
    public boolean isReplay(Reserve reserve) {
        return reserve.idempotencyKey() != null && reservationUnderKey(reserve.orgId(), reserve.idempotencyKey()) != null;
    }

    /** Whether the command names an agent the org could not create (the agent cap, {@link OrgLimit#AGENTS}). */
    public boolean lacksAgent(LedgerCommand command) {
        Map<String, ResolvedAgent> known = agents.getOrDefault(command.orgId(), Map.of());
        if (command instanceof Reserve reserve) {
            return !isReplay(reserve) && !known.containsKey(reserve.agentName());
        }
        return command instanceof Ingest ingest && ingest.events().stream().anyMatch(e -> !known.containsKey(e.agentName()));
    }

    public long agentId(String orgId, String agentName) {
        return present(agents.getOrDefault(orgId, Map.of()).get(agentName), "agent ", agentName).id();
    }

    /** The agent's pause, or null when it is not paused. */
    public AgentPause pauseOf(String orgId, String agentName) {
        ResolvedAgent agent = agents.getOrDefault(orgId, Map.of()).get(agentName);
        return agent == null ? null : agent.pause();
    }

    public List<Budget> budgetsOf(String orgId, String agentName) {
        return budgetsByAgent.getOrDefault(orgId, Map.of()).getOrDefault(agentId(orgId, agentName), List.of());
    }

    /** The windows at {@code at} of every budget that applies to the agent, by budget and start. */
    public List<WindowRef> refsAt(String orgId, String agentName, Instant at) {
        return budgetsOf(orgId, agentName).stream()
                .map(budget -> new WindowRef(budget.id(), budget.windowAt(at).start())).toList();
    }

    /**
     * The windows at {@code at} of the budgets that apply to the agent and count a use of
     * {@code model} through {@code provider} (a budget with a model or provider filter counts only
     * those, ADR 0015): where a spend event is booked.
     */
    public List<WindowRef> refsAt(String orgId, String agentName, Instant at, String provider, String model) {
        return budgetsOf(orgId, agentName).stream().filter(budget -> budget.key().covers(provider, model))
                .map(budget -> new WindowRef(budget.id(), budget.windowAt(at).start())).toList();
    }

    /** The locked windows at {@code at} of every budget that applies to the agent. */
    public List<WindowBalance> windowsAt(String orgId, String agentName, Instant at) {
        return refsAt(orgId, agentName, at).stream()
                .map(ref -> present(windowsByRef.get(ref), "window ", ref)).toList();
    }

    public WindowBalance window(long windowId) {
        return present(windowsById.get(windowId), "window ", windowId);
    }

    /** Every locked window, in the order they were locked. */
    public List<WindowBalance> windows() {
        return List.copyOf(windowsById.values());
    }

    public boolean eventKeyInserted(String orgId, String key) {
        return insertedEventKeys.getOrDefault(orgId, Set.of()).contains(key);
    }

    public RecordedEvent recordedEvent(String orgId, String key) {
        return recordedEvents.getOrDefault(orgId, Map.of()).get(key);
    }

    /**
     * {@code found}, or a {@link LedgerInvariantViolation} naming what is missing. The message is
     * built only then: this runs for every event and window of a batch.
     */
    static <T> T present(T found, String kind, Object which) {
        if (found == null) {
            throw new LedgerInvariantViolation(kind + which + " was not loaded");
        }
        return found;
    }
}
