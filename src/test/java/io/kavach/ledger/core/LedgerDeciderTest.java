package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.JournalEntry.Kind;
import io.kavach.ledger.core.LedgerCommand.Commit;
import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Release;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ledger's decisions without a database (docs/contract.md): every reservation transition and
 * refusal, ingest booking and deduplication, and batch semantics, decided against hand-built
 * locked windows. The org's daily budget has limit 10, the agent {@code bot}'s daily budget 5.
 */
class LedgerDeciderTest {

    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    private static final String ORG = "acme";
    private static final String BOT = "bot";
    private static final long BOT_ID = 7;
    private static final Budget ORG_DAILY = budget(BudgetKey.org(Period.DAILY), "10");
    private static final Budget BOT_DAILY = budget(BudgetKey.agent(BOT, Period.DAILY), "5");

    private static Budget budget(BudgetKey key, String limit) {
        return new Budget(UUID.nameUUIDFromBytes(key.toString().getBytes()), key, "cost", Money.of(limit));
    }

    private static Money usd(String amount) {
        return Money.of(amount);
    }

    /** A batch's locked state: the two budgets' windows at {@link #NOW}, and what else a case adds. */
    private static final class Ledger {
        final WindowBalance orgWindow;
        final WindowBalance botWindow;
        final Map<Long, WindowBalance> windows = new LinkedHashMap<>();
        final LockedLedger locked = new LockedLedger(100);

        Ledger(String orgSpent, String orgReserved, String botSpent, String botReserved) {
            orgWindow = window(1, ORG_DAILY, NOW, orgSpent, orgReserved);
            botWindow = window(2, BOT_DAILY, NOW, botSpent, botReserved);
            windows.put(1L, orgWindow);
            windows.put(2L, botWindow);
        }

        Ledger() {
            this("0", "0", "0", "0");
        }

        WindowBalance window(long id, Budget budget, Instant at, String spent, String reserved) {
            WindowBalance balance = new WindowBalance(id, budget, budget.windowAt(at), budget.limit(),
                    usd(spent), usd(reserved));
            windows.put(id, balance);
            return balance;
        }

        Ledger agent(AgentPause pause) {
            locked.agentsResolved(ORG, Map.of(BOT, new ResolvedAgent(BOT_ID, pause)),
                    Map.of(BOT_ID, List.of(ORG_DAILY, BOT_DAILY)));
            return this;
        }

        /** A reservation of {@code amount} held in both windows (their {@code reserved} must include it). */
        Reservation reservation(ReservationStatus status, String amount, Instant createdAt) {
            Reservation held = Reservation.held(UUID.randomUUID(), ORG, request(amount), createdAt, List.of(1L, 2L));
            Reservation r = switch (status) {
                case PENDING -> held;
                case COMMITTED -> held.committed(createdAt, usd("3"), null, null);
                case RELEASED -> held.released(createdAt);
                case EXPIRED -> held.expired(held.expiresAt());
                case REJECTED -> Reservation.rejected(held.id(), ORG, request(amount), createdAt);
            };
            locked.reservationsLocked(Map.of(r.id(), new StoredReservation(r, null, null, BOT_ID)));
            return r;
        }

        LedgerDecider.Decided decide(LedgerCommand... batch) {
            locked.windowsLocked(windows);
            return LedgerDecider.decide(List.of(batch), locked, NOW);
        }
    }

    private static Reservation.Request request(String amount) {
        return new Reservation.Request(BOT, usd(amount), 60, "openai", "gpt-4o", null);
    }

    private static Reserve reserve(String amount, String key) {
        return new Reserve(ORG, BOT, usd(amount), 60, key, "openai", "gpt-4o", null);
    }

    private static SpendEvent event(String cost, Instant at, String key) {
        return new SpendEvent(BOT, usd(cost), at, key, "openai", "gpt-4o", 100L, 20L, null, null, null);
    }

    // ---------------------------------------------------------------- reserve

    static Stream<Arguments> reserveCases() {
        return Stream.of(
                // case, amount, org spent/reserved, bot spent/reserved, paused, outcome, reason, org/bot reserved after
                Arguments.of("fits in every window", "2", "1", "1", "1", "1", false, "held", null, "3", "3"),
                Arguments.of("fits exactly up to the agent's limit", "4", "0", "0", "1", "0", false, "held", null, "4", "4"),
                Arguments.of("one nano-dollar over the agent's limit", "4.000000001", "0", "0", "1", "0", false,
                        "refused", "agent_budget_exceeded", "0", "0"),
                Arguments.of("holds count like spend", "1", "0", "0", "0", "4.5", false, "refused",
                        "agent_budget_exceeded", "0", "4.5"),
                Arguments.of("the org refuses, the agent would not", "1", "9.5", "0", "0", "0", false, "refused",
                        "org_budget_exceeded", "0", "0"),
                Arguments.of("both refuse: the org is named first", "6", "9", "0", "0", "0", false, "refused",
                        "org_budget_exceeded", "0", "0"),
                Arguments.of("a paused agent holds nothing, even when it fits", "1", "0", "0", "0", "0", true, "paused",
                        "agent_paused", "0", "0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reserveCases")
    void reserve(String name, String amount, String orgSpent, String orgReserved, String botSpent, String botReserved,
                 boolean paused, String outcome, String reason, String orgReservedAfter, String botReservedAfter) {
        Ledger ledger = new Ledger(orgSpent, orgReserved, botSpent, botReserved)
                .agent(paused ? new AgentPause(NOW.minusSeconds(60), "runaway") : null);
        LedgerDecider.Decided decided = ledger.decide(reserve(amount, null));
        LedgerOutcome answer = decided.outcomes().get(0);
        LedgerWrites writes = decided.writes();
        switch (outcome) {
            case "held" -> {
                Reservation held = assertInstanceOf(LedgerOutcome.Held.class, answer).reservation();
                assertEquals(ReservationStatus.PENDING, held.status());
                assertEquals(NOW.plusSeconds(60), held.expiresAt());
                assertEquals(List.of(1L, 2L), held.windowIds());
                assertEquals(List.of(Kind.HOLD), writes.journal().stream().map(JournalEntry::kind).toList());
                assertEquals(1, writes.newReservations().size());
                assertTrue(writes.refusals().isEmpty());
            }
            case "refused" -> {
                LedgerOutcome.Refused refused = assertInstanceOf(LedgerOutcome.Refused.class, answer);
                assertEquals(reason, refused.reason());
                assertEquals(usd(amount), refused.requested());
                assertTrue(writes.journal().isEmpty());
                assertTrue(writes.newReservations().isEmpty(), "without an idempotency key nothing is kept");
                assertEquals(List.of(reason), writes.refusals().stream().map(RefusalRow::reason).toList());
            }
            default -> {
                assertInstanceOf(LedgerOutcome.Paused.class, answer);
                assertTrue(writes.journal().isEmpty());
                assertEquals(List.of(reason), writes.refusals().stream().map(RefusalRow::reason).toList());
                assertEquals("", writes.refusals().get(0).budgetKey());
            }
        }
        assertEquals(usd(orgReservedAfter), ledger.orgWindow.reserved());
        assertEquals(usd(botReservedAfter), ledger.botWindow.reserved());
        assertEquals(usd(orgSpent), ledger.orgWindow.spent(), "a hold never spends");
    }

    @Test
    void aRefusalUnderAnIdempotencyKeyIsKeptAsARejectedReservationHoldingNothing() {
        LedgerDecider.Decided decided = new Ledger("0", "0", "5", "0").agent(null).decide(reserve("1", "call-1"));
        NewReservation kept = decided.writes().newReservations().get(0);
        assertEquals(ReservationStatus.REJECTED, kept.reservation().status());
        assertEquals(List.of(), kept.reservation().windowIds());
        assertEquals("call-1", kept.idempotencyKey());
        assertSame(decided.outcomes().get(0), kept.outcome());
    }

    @Test
    void anAgentWithNoApplicableBudgetIsHeldInNoWindow() {
        Ledger ledger = new Ledger();
        ledger.locked.agentsResolved(ORG, Map.of(BOT, new ResolvedAgent(BOT_ID, null)), Map.of(BOT_ID, List.of()));
        LedgerOutcome.Held held = assertInstanceOf(LedgerOutcome.Held.class, ledger.decide(reserve("100", null))
                .outcomes().get(0));
        assertEquals(List.of(), held.budgets());
        assertEquals(List.of(), held.reservation().windowIds());
    }

    @Test
    void anAgentTheOrgCouldNotCreateIsRefusedAloneWithTheCap() {
        Ledger ledger = new Ledger();
        ledger.locked.agentsResolved(ORG, Map.of(), Map.of());
        LedgerDecider.Decided decided = ledger.decide(reserve("1", null),
                new Ingest(ORG, List.of(event("1", NOW, null))));
        for (LedgerOutcome outcome : decided.outcomes()) {
            LedgerOutcome.LimitReached limit = assertInstanceOf(LedgerOutcome.LimitReached.class, outcome);
            assertEquals(OrgLimit.AGENTS, limit.limit());
            assertEquals(100, limit.max());
        }
        assertTrue(decided.writes().journal().isEmpty() && decided.writes().rollup().isEmpty());
        assertTrue(decided.writes().windows().stream().noneMatch(WindowBalance::changed));
    }

    // ---------------------------------------------------------------- idempotent replay

    @Test
    void aReserveUnderAKeyUsedBeforeReplaysTheFirstAnswerOrIsKeyReused() {
        Ledger ledger = new Ledger().agent(null);
        Reserve first = reserve("1", "call-1");
        LedgerOutcome firstAnswer = new LedgerOutcome.KeyReused("stand-in for a stored answer");
        Reservation earlier = Reservation.held(UUID.randomUUID(), ORG, request("1"), NOW, List.of());
        ledger.locked.reservationsUnderKeys(ORG, Map.of("call-1",
                new StoredReservation(earlier, first.fingerprint(), firstAnswer, BOT_ID)));
        LedgerDecider.Decided decided = ledger.decide(first, reserve("2", "call-1"));
        assertSame(firstAnswer, decided.outcomes().get(0));
        assertEquals(new LedgerOutcome.KeyReused("call-1"), decided.outcomes().get(1));
        assertTrue(decided.writes().newReservations().isEmpty() && decided.writes().journal().isEmpty());
        assertEquals(usd("0"), ledger.botWindow.reserved());
    }

    @Test
    void aKeyRepeatedInOneBatchIsAnsweredByItsFirstCommand() {
        Ledger ledger = new Ledger().agent(null);
        LedgerDecider.Decided decided = ledger.decide(reserve("1", "k"), reserve("1", "k"), reserve("2", "k"));
        assertInstanceOf(LedgerOutcome.Held.class, decided.outcomes().get(0));
        assertSame(decided.outcomes().get(0), decided.outcomes().get(1));
        assertEquals(new LedgerOutcome.KeyReused("k"), decided.outcomes().get(2));
        assertEquals(usd("1"), ledger.botWindow.reserved(), "held once");
    }

    // ---------------------------------------------------------------- the reservation state machine

    static Stream<Arguments> transitions() {
        return Stream.of(
                // from, command, cost, answer, status after (or conflict reason), overrun, late,
                // reserved after (both windows), spent after (both windows)
                Arguments.of(ReservationStatus.PENDING, "commit", "3", "resolved", "committed", false, false, "0", "3"),
                Arguments.of(ReservationStatus.PENDING, "commit", "5", "resolved", "committed", true, false, "0", "5"),
                Arguments.of(ReservationStatus.EXPIRED, "commit", "3", "resolved", "committed", false, true, "4", "3"),
                Arguments.of(ReservationStatus.COMMITTED, "commit", "3", "resolved", "committed", false, false, "4", "0"),
                Arguments.of(ReservationStatus.COMMITTED, "commit", "2", "conflict", "reservation_already_committed",
                        false, false, "4", "0"),
                Arguments.of(ReservationStatus.RELEASED, "commit", "3", "conflict", "reservation_released", false, false,
                        "4", "0"),
                Arguments.of(ReservationStatus.REJECTED, "commit", "3", "not found", null, false, false, "4", "0"),
                Arguments.of(ReservationStatus.PENDING, "release", null, "resolved", "released", false, false, "0", "0"),
                Arguments.of(ReservationStatus.RELEASED, "release", null, "resolved", "released", false, false, "4", "0"),
                Arguments.of(ReservationStatus.EXPIRED, "release", null, "resolved", "expired", false, false, "4", "0"),
                Arguments.of(ReservationStatus.COMMITTED, "release", null, "conflict", "reservation_already_committed",
                        false, false, "4", "0"),
                Arguments.of(ReservationStatus.REJECTED, "release", null, "not found", null, false, false, "4", "0"));
    }

    /**
     * Each window starts with {@code reserved 4}, as if the reservation's 4 were still held (the
     * decider must only free what a pending reservation holds), and {@code spent 0}.
     */
    @ParameterizedTest(name = "{1} of a {0} reservation (cost {2}) → {3} {4}")
    @MethodSource("transitions")
    void reservationTransitions(ReservationStatus from, String command, String cost, String answer, String after,
                                boolean overrun, boolean late, String reservedAfter, String spentAfter) {
        Ledger ledger = new Ledger("0", "4", "0", "4").agent(null);
        Reservation r = ledger.reservation(from, "4", NOW.minusSeconds(10));
        LedgerCommand c = command.equals("commit") ? new Commit(ORG, r.id(), cost == null ? null : usd(cost), 100L, 20L)
                : new Release(ORG, r.id());
        LedgerDecider.Decided decided = ledger.decide(c);
        LedgerOutcome outcome = decided.outcomes().get(0);
        boolean moves = answer.equals("resolved") && !after.equals(from.wireName());
        switch (answer) {
            case "resolved" -> {
                Reservation now = assertInstanceOf(LedgerOutcome.Resolved.class, outcome).reservation();
                assertEquals(after, now.status().wireName());
                assertEquals(overrun, now.overrun());
                assertEquals(late, now.late());
                if (moves) {
                    assertEquals(NOW, now.resolvedAt());
                    assertEquals(List.of(now), decided.writes().changedReservations());
                }
            }
            case "conflict" -> assertEquals(after,
                    assertInstanceOf(LedgerOutcome.Conflict.class, outcome).reason());
            default -> assertInstanceOf(LedgerOutcome.NotFound.class, outcome);
        }
        assertEquals(moves ? 1 : 0, decided.writes().journal().size());
        if (!moves) {
            assertTrue(decided.writes().changedReservations().isEmpty());
        }
        for (WindowBalance window : List.of(ledger.orgWindow, ledger.botWindow)) {
            assertEquals(usd(reservedAfter), window.reserved());
            assertEquals(usd(spentAfter), window.spent());
        }
        boolean committed = moves && after.equals("committed");
        assertEquals(committed ? 3 : 0, decided.writes().rollup().size(), "all spend, the org's and the agent's budget");
    }

    @Test
    void aCommitAtTheExpiryInstantOfAPendingHoldIsLateButFreesTheHold() {
        Ledger ledger = new Ledger("0", "4", "0", "4").agent(null);
        Reservation r = ledger.reservation(ReservationStatus.PENDING, "4", NOW.minusSeconds(60));
        Reservation committed = ((LedgerOutcome.Resolved) ledger.decide(new Commit(ORG, r.id(), usd("1"), null, null))
                .outcomes().get(0)).reservation();
        assertTrue(committed.late());
        assertEquals(usd("0"), ledger.botWindow.reserved());
        assertEquals(usd("1"), ledger.botWindow.spent());
    }

    @Test
    void anotherOrgsReservationIdIsNotFound() {
        Ledger ledger = new Ledger("0", "4", "0", "4").agent(null);
        Reservation r = ledger.reservation(ReservationStatus.PENDING, "4", NOW);
        LedgerDecider.Decided decided = ledger.decide(new Release("other-org", r.id()),
                new Commit(ORG, UUID.randomUUID(), usd("1"), null, null));
        decided.outcomes().forEach(o -> assertInstanceOf(LedgerOutcome.NotFound.class, o));
        assertEquals(usd("4"), ledger.botWindow.reserved());
    }

    @Test
    void aBatchSeesItsOwnEarlierMoves() {
        Ledger ledger = new Ledger("0", "4", "0", "4").agent(null);
        Reservation r = ledger.reservation(ReservationStatus.PENDING, "4", NOW);
        LedgerDecider.Decided decided = ledger.decide(new Release(ORG, r.id()), new Commit(ORG, r.id(), usd("1"), null,
                null), reserve("5", null), reserve("0.000000001", null));
        assertInstanceOf(LedgerOutcome.Resolved.class, decided.outcomes().get(0));
        assertEquals("reservation_released",
                assertInstanceOf(LedgerOutcome.Conflict.class, decided.outcomes().get(1)).reason());
        assertInstanceOf(LedgerOutcome.Held.class, decided.outcomes().get(2), "the released 4 is free again");
        assertInstanceOf(LedgerOutcome.Refused.class, decided.outcomes().get(3), "the running total is full");
    }

    @Test
    void onlyTheStateMachinesMovesAreAllowed() {
        Reservation pending = Reservation.held(UUID.randomUUID(), ORG, request("4"), NOW, List.of());
        Reservation released = pending.released(NOW);
        Reservation committed = pending.committed(NOW, usd("1"), null, null);
        Reservation rejected = Reservation.rejected(UUID.randomUUID(), ORG, request("4"), NOW);
        for (Reservation ended : List.of(released, committed, rejected)) {
            assertThrows(LedgerInvariantViolation.class, () -> ended.released(NOW));
            assertThrows(LedgerInvariantViolation.class, () -> ended.expired(NOW));
            assertThrows(LedgerInvariantViolation.class, () -> ended.committed(NOW, usd("1"), null, null));
        }
        Reservation expired = pending.expired(NOW);
        assertEquals(ReservationStatus.COMMITTED, expired.committed(NOW, usd("1"), null, null).status());
        assertEquals(pending, committed.asCreated());
    }

    // ---------------------------------------------------------------- expiry

    @Test
    void theSweepFreesEachDueHoldAndJournalsIt() {
        Ledger ledger = new Ledger("0", "6", "0", "6");
        Reservation a = ledger.reservation(ReservationStatus.PENDING, "4", NOW.minusSeconds(120));
        Reservation b = ledger.reservation(ReservationStatus.PENDING, "2", NOW.minusSeconds(61));
        ledger.locked.windowsLocked(ledger.windows);
        LedgerWrites writes = LedgerDecider.expire(List.of(a, b), ledger.locked, NOW);
        assertEquals(usd("0"), ledger.orgWindow.reserved());
        assertEquals(usd("0"), ledger.botWindow.reserved());
        assertEquals(List.of(ReservationStatus.EXPIRED, ReservationStatus.EXPIRED),
                writes.changedReservations().stream().map(Reservation::status).toList());
        assertEquals(List.of(usd("-4"), usd("-2")), writes.journal().stream().map(JournalEntry::reservedDelta).toList());
        assertThrows(LedgerInvariantViolation.class,
                () -> LedgerDecider.expire(List.of(a.released(NOW)), ledger.locked, NOW));
    }

    // ---------------------------------------------------------------- ingest

    static Stream<Arguments> ingestCases() {
        Instant earlier = NOW.minusSeconds(30);
        return Stream.of(
                // case, events, keys inserted by this batch, recorded before (key → agent, cost, time),
                // accepted, duplicates, keyReused positions, bot spent after
                Arguments.of("events without a key are all booked",
                        List.of(event("1", NOW, null), event("1", NOW, null)), Set.of(), Map.of(), 2, 0, List.of(), "2"),
                Arguments.of("a key inserted now is booked by its first event; the same event again is a duplicate",
                        List.of(event("1", NOW, "e"), event("1", NOW, "e")), Set.of("e"), Map.of(), 1, 1, List.of(), "1"),
                Arguments.of("another cost under a key booked in this batch is a reused key",
                        List.of(event("1", NOW, "e"), event("2", NOW, "e")), Set.of("e"), Map.of(), 1, 0, List.of(1), "1"),
                Arguments.of("a key recorded before, same event: duplicate",
                        List.of(event("1", earlier, "e")), Set.of(),
                        Map.of("e", new RecordedEvent(BOT_ID, usd("1"), earlier)), 0, 1, List.of(), "0"),
                Arguments.of("a key recorded before at another time: reused",
                        List.of(event("1", NOW, "e")), Set.of(),
                        Map.of("e", new RecordedEvent(BOT_ID, usd("1"), earlier)), 0, 0, List.of(0), "0"),
                Arguments.of("a key recorded before for another agent: reused",
                        List.of(event("1", earlier, "e")), Set.of(),
                        Map.of("e", new RecordedEvent(BOT_ID + 1, usd("1"), earlier)), 0, 0, List.of(0), "0"),
                Arguments.of("a resend timed on arrival matches whatever time was recorded",
                        List.of(event("1", NOW, "e").timedOnArrival()), Set.of(),
                        Map.of("e", new RecordedEvent(BOT_ID, usd("1"), earlier)), 0, 1, List.of(), "0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ingestCases")
    void ingestBooksEachEventOnce(String name, List<SpendEvent> events, Set<String> inserted,
                                  Map<String, RecordedEvent> recorded, int accepted, int duplicates,
                                  List<Integer> keyReused, String botSpentAfter) {
        Ledger ledger = new Ledger().agent(null);
        ledger.locked.eventKeysInserted(Map.of(ORG, inserted)).eventsRecorded(ORG, recorded);
        LedgerOutcome.Ingested ingested = assertInstanceOf(LedgerOutcome.Ingested.class,
                ledger.decide(new Ingest(ORG, events)).outcomes().get(0));
        assertEquals(accepted, ingested.accepted());
        assertEquals(duplicates, ingested.duplicates());
        assertEquals(keyReused, ingested.keyReused());
        assertEquals(usd(botSpentAfter), ledger.botWindow.spent());
        assertEquals(usd(botSpentAfter), ledger.orgWindow.spent());
        assertTrue(!ingested.stopsAgents());
    }

    @Test
    void aKeyNeitherInsertedNorRecordedIsABug() {
        Ledger ledger = new Ledger().agent(null);
        assertThrows(LedgerInvariantViolation.class, () -> ledger.decide(new Ingest(ORG, List.of(event("1", NOW, "e")))));
    }

    static Stream<Arguments> ingestStops() {
        return Stream.of(
                // case, bot spent before, event cost, paused, stops, refusal reasons, exhausted budget keys
                Arguments.of("room left: no stop", "0", "4.9", false, false, List.of(), List.of()),
                Arguments.of("spending the last cent stops the agent", "0", "5", false, true,
                        List.of("agent_budget_exceeded"), List.of("agent:bot:daily")),
                Arguments.of("spend past the limit is still booked, and stops", "4", "3", false, true,
                        List.of("agent_budget_exceeded"), List.of("agent:bot:daily")),
                Arguments.of("a paused agent's events are booked, and it stops", "0", "1", true, true,
                        List.of("agent_paused"), List.of()),
                Arguments.of("the org exhausted: named first", "0", "10", false, true,
                        List.of("org_budget_exceeded", "agent_budget_exceeded"), List.of("org:daily", "agent:bot:daily")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ingestStops")
    void ingestAnswersWhetherAgentsMustStop(String name, String botSpent, String cost, boolean paused, boolean stops,
                                            List<String> reasons, List<String> exhausted) {
        Ledger ledger = new Ledger(botSpent, "0", botSpent, "0")
                .agent(paused ? new AgentPause(NOW.minusSeconds(1), null) : null);
        LedgerDecider.Decided decided = ledger.decide(new Ingest(ORG, List.of(event(cost, NOW, null))));
        LedgerOutcome.Ingested ingested = assertInstanceOf(LedgerOutcome.Ingested.class, decided.outcomes().get(0));
        assertEquals(1, ingested.accepted());
        assertEquals(usd(botSpent).plus(usd(cost)), ledger.botWindow.spent());
        assertEquals(stops, ingested.stopsAgents());
        assertEquals(stops ? List.of(BOT) : List.of(), ingested.rejectedAgents());
        assertEquals(paused, ingested.paused().containsKey(BOT));
        assertEquals(reasons, decided.writes().refusals().stream().map(RefusalRow::reason).toList());
        assertEquals(exhausted, ingested.exhausted().stream().map(s -> s.key().toString()).toList());
    }

    @Test
    void anEventFromYesterdayIsBookedInYesterdaysWindowAndTodaysDecidesTheAnswer() {
        Ledger ledger = new Ledger().agent(null);
        Instant yesterday = NOW.minusSeconds(86_400);
        WindowBalance orgYesterday = ledger.window(3, ORG_DAILY, yesterday, "0", "0");
        WindowBalance botYesterday = ledger.window(4, BOT_DAILY, yesterday, "0", "0");
        LedgerDecider.Decided decided = ledger.decide(new Ingest(ORG, List.of(event("7", yesterday, null))));
        LedgerOutcome.Ingested ingested = (LedgerOutcome.Ingested) decided.outcomes().get(0);
        assertEquals(usd("7"), orgYesterday.spent());
        assertEquals(usd("7"), botYesterday.spent());
        assertEquals(usd("0"), ledger.botWindow.spent());
        assertTrue(!ingested.stopsAgents(), "today's windows have room");
        List<RollupRow> rollup = new ArrayList<>(decided.writes().rollup());
        assertEquals(yesterday.atZone(ZoneOffset.UTC).toLocalDate(), rollup.get(0).day());
        assertEquals(RollupRow.ALL_SPEND, rollup.get(0).budgetId());
        assertEquals(3, rollup.size(), "all spend, the org's and the agent's budget");
    }

    @Test
    void aCommandWithoutLockedWindowsIsABugNotARefusal() {
        Ledger ledger = new Ledger().agent(null);
        ledger.windows.clear();
        assertThrows(LedgerInvariantViolation.class, () -> ledger.decide(reserve("1", null)));
        assertNull(ledger.locked.pauseOf(ORG, "nobody"));
    }
}
