package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.AuditReport;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ledger's concurrency claims, with real threads behind a barrier against real PostgreSQL:
 * no amount of concurrency admits more than a budget holds, and the lock order never deadlocks.
 */
@QuarkusTest
class LedgerConcurrencyTest {

    private static final int THREADS = 64;

    @Inject
    LedgerProcessor processor;
    @Inject
    AuditService audits;
    @Inject
    MeterRegistry metrics;
    @Inject
    LedgerBatcher batcher;

    private final String org = Tokens.newOrg();

    @Test
    void sixtyFourThreadsReservingFromOnePoolAdmitExactlyWhatFits() throws Exception {
        Fixtures.pool(org, "hot-pool", "daily", "1.00", "bot");
        List<LedgerOutcome> outcomes = race(THREADS, i -> reserve("bot", "0.03"));
        assertEquals(33, count(outcomes, LedgerOutcome.Held.class), "floor(1.00 / 0.03) holds fit");
        assertEquals(31, count(outcomes, LedgerOutcome.Refused.class));
        assertEquals(0, new BigDecimal("0.99").compareTo(reserved("shared", "hot-pool")));
        assertNoDrift();
    }

    @Test
    void overlappingPoolsAndAnOrgCapAdmitExactlyWhatTheTightestAllows() throws Exception {
        String[] agents = {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"};
        Fixtures.pool(org, "left", "daily", "0.60", "a1", "a2", "a3", "a4");
        Fixtures.pool(org, "right", "monthly", "0.75", "a3", "a4", "a5", "a6", "a7", "a8");
        Fixtures.orgBudget(org, "total", "1.00");
        List<LedgerOutcome> outcomes = race(THREADS, i -> reserve(agents[i % agents.length], "0.03"));
        long held = count(outcomes, LedgerOutcome.Held.class);
        BigDecimal left = reserved("shared", "left");
        BigDecimal right = reserved("shared", "right");
        BigDecimal total = reserved("org", null);
        assertEquals(0, BigDecimal.valueOf(held).multiply(new BigDecimal("0.03")).compareTo(total));
        assertTrue(left.compareTo(new BigDecimal("0.60")) <= 0, "left pool never overspent: " + left);
        assertTrue(right.compareTo(new BigDecimal("0.75")) <= 0, "right pool never overspent: " + right);
        assertTrue(total.compareTo(new BigDecimal("1.00")) <= 0, "org cap never overspent: " + total);
        // Holds only grow here, so every refusal must still be justified at the end: the budget it
        // named cannot take another 0.03. No request was turned away while there was room.
        for (LedgerOutcome outcome : outcomes) {
            if (outcome instanceof LedgerOutcome.Refused refused) {
                var key = refused.binding().key();
                BigDecimal limit = refused.binding().limit().value();
                BigDecimal now = reserved(key.scope().wireName(), key.name());
                assertTrue(now.add(new BigDecimal("0.03")).compareTo(limit) > 0, "refusal by " + key + " unjustified");
            }
        }
        assertEquals(THREADS, held + count(outcomes, LedgerOutcome.Refused.class));
        assertNoDrift();
    }

    @Test
    void mixedTrafficOnOverlappingPoolsNeverDeadlocks() throws Exception {
        String[] agents = {"b1", "b2", "b3", "b4", "b5", "b6"};
        Fixtures.pool(org, "p1", "daily", "1000", "b1", "b2", "b3");
        Fixtures.pool(org, "p2", "daily", "1000", "b3", "b4", "b5");
        Fixtures.pool(org, "p3", "monthly", "1000", "b5", "b6", "b1");
        Fixtures.agentBudget(org, "b3", "daily", "1000");
        Fixtures.orgBudget(org, "daily", "1000");
        double deadlocksBefore = retries("deadlock");
        List<LedgerOutcome> outcomes = race(THREADS, i -> {
            Random random = new Random(i);
            LedgerOutcome last = null;
            for (int step = 0; step < 15; step++) {
                String agent = agents[random.nextInt(agents.length)];
                LedgerOutcome held = reserve(agent, "0.01");
                if (held instanceof LedgerOutcome.Held h) {
                    LedgerCommand next = random.nextBoolean()
                            ? new LedgerCommand.Commit(org, h.reservation().id(), Money.of("0.005"), null, null)
                            : new LedgerCommand.Release(org, h.reservation().id());
                    last = processor.process(List.of(next)).get(0);
                }
                processor.process(List.of(new LedgerCommand.Ingest(org, List.of(new LedgerCommand.SpendEvent(
                        agents[random.nextInt(agents.length)], Money.of("0.001"), java.time.Instant.now(),
                        null, null, null, null, null, null, null, null)))));
            }
            return last;
        });
        assertEquals(THREADS, outcomes.size());
        assertEquals(0, retries("deadlock") - deadlocksBefore, "the lock order rules deadlocks out");
        assertEquals(0, BigDecimal.ZERO.compareTo(reserved("org", null)), "every hold was resolved");
        assertNoDrift();
    }

    /**
     * Events are inserted after their windows are created and before windows are locked. The
     * same keyed batch redelivered by every thread at once, into windows that do not exist yet
     * (today's and last month's), books each event exactly once and never deadlocks.
     */
    @Test
    void oneKeyedBatchRedeliveredBySixtyFourThreadsIsBookedOnce() throws Exception {
        Fixtures.pool(org, "p1", "daily", "1000", "c1", "c2");
        Fixtures.pool(org, "p2", "monthly", "1000", "c2", "c3");
        Fixtures.orgBudget(org, "monthly", "1000");
        java.time.Instant now = java.time.Instant.now();
        java.time.Instant lastMonth = now.minus(java.time.Duration.ofDays(35));
        List<LedgerCommand.SpendEvent> events = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            events.add(new LedgerCommand.SpendEvent("c" + (1 + i % 3), Money.of("0.01"), i % 2 == 0 ? now : lastMonth,
                    "event-" + i, null, null, null, null, null, null, null));
        }
        List<LedgerCommand.SpendEvent> reversed = new ArrayList<>(events);
        java.util.Collections.reverse(reversed);
        double deadlocksBefore = retries("deadlock");
        List<LedgerOutcome> outcomes = race(THREADS, i -> batcher.submit(new LedgerCommand.Ingest(org,
                i % 2 == 0 ? events : reversed)).get(60, TimeUnit.SECONDS));
        assertEquals(30, outcomes.stream().mapToInt(o -> ((LedgerOutcome.Ingested) o).accepted()).sum(),
                "each event is booked by exactly one delivery");
        assertEquals(30 * (THREADS - 1), outcomes.stream().mapToInt(o -> ((LedgerOutcome.Ingested) o).duplicates()).sum());
        assertEquals(0, retries("deadlock") - deadlocksBefore, "the lock order rules deadlocks out");
        assertEquals(0, new BigDecimal("0.30").compareTo(Fixtures.queryDecimal(
                "SELECT sum(w.spent) FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                        + "WHERE b.org_id = ? AND b.scope = 'org'", org)), "the org budget saw every event once");
        assertNoDrift();
    }

    @Test
    void groupCommittedReservationsFromSixtyFourThreadsAreExactToo() throws Exception {
        Fixtures.pool(org, "batched-pool", "daily", "1.00", "bot");
        Fixtures.orgBudget(org, "daily", "5");
        List<LedgerOutcome> outcomes = race(THREADS, i -> batcher.submit(new LedgerCommand.Reserve(org, "bot",
                Money.of("0.03"), 300, "key-" + i, null, null, null)).get(60, TimeUnit.SECONDS));
        assertEquals(33, count(outcomes, LedgerOutcome.Held.class));
        assertEquals(31, count(outcomes, LedgerOutcome.Refused.class));
        assertEquals(0, new BigDecimal("0.99").compareTo(reserved("shared", "batched-pool")));
        assertNoDrift();
    }

    @Test
    void aFailingCommandDoesNotFailItsBatchMates() throws Exception {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        // An org that does not exist cannot own agents: that command fails in the database.
        var answers = batcher.applyTogether(List.of(
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null),
                new LedgerCommand.Reserve("no-such-org-" + org, "bot", Money.of("0.1"), 300, null, null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null)));
        assertTrue(answers.get(0).get() instanceof LedgerOutcome.Held);
        assertTrue(answers.get(1).isCompletedExceptionally());
        assertTrue(answers.get(2).get() instanceof LedgerOutcome.Held);
        assertTrue(answers.get(3).get() instanceof LedgerOutcome.Refused, "0.4 + 0.4 + 0.4 > 1");
        assertEquals(0, new BigDecimal("0.8").compareTo(reserved("agent", "bot")));
        assertNoDrift();
    }

    @Test
    void oneBatchDecidesInArrivalOrderAgainstRunningTotals() throws Exception {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        var answers = batcher.applyTogether(List.of(
                new LedgerCommand.Reserve(org, "bot", Money.of("0.6"), 300, "k1", null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.6"), 300, "k2", null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.6"), 300, "k1", null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.7"), 300, "k1", null, null, null),
                new LedgerCommand.Ingest(org, List.of(new LedgerCommand.SpendEvent("bot", Money.of("0.3"),
                        java.time.Instant.now(), "e1", null, null, null, null, null, null, null))),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.2"), 300, null, null, null, null)));
        var first = (LedgerOutcome.Held) answers.get(0).get();
        assertTrue(answers.get(1).get() instanceof LedgerOutcome.Refused, "0.6 + 0.6 > 1");
        assertEquals(first, answers.get(2).get(), "same key, same request: the first answer");
        assertTrue(answers.get(3).get() instanceof LedgerOutcome.KeyReused);
        assertTrue(((LedgerOutcome.Ingested) answers.get(4).get()).exhausted().isEmpty(), "0.6 + 0.3 < 1");
        assertTrue(answers.get(5).get() instanceof LedgerOutcome.Refused, "0.6 + 0.3 + 0.2 > 1");
        assertEquals(0, new BigDecimal("0.6").compareTo(reserved("agent", "bot")));
        assertNoDrift();
    }

    private LedgerOutcome reserve(String agent, String amount) {
        return processor.process(List.of(new LedgerCommand.Reserve(org, agent, Money.of(amount), 300, null,
                null, null, null))).get(0);
    }

    private interface Work {
        LedgerOutcome run(int thread) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads released together by a barrier. */
    private static List<LedgerOutcome> race(int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<LedgerOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                futures.add(pool.submit((Callable<LedgerOutcome>) () -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    return work.run(thread);
                }));
            }
            List<LedgerOutcome> outcomes = new ArrayList<>();
            for (Future<LedgerOutcome> future : futures) {
                outcomes.add(future.get(120, TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long count(List<LedgerOutcome> outcomes, Class<?> type) {
        return outcomes.stream().filter(type::isInstance).count();
    }

    private BigDecimal reserved(String scope, String name) {
        return Fixtures.queryDecimal("SELECT coalesce(sum(w.reserved), 0) FROM budget_window w "
                + "JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? AND b.scope = ? "
                + "AND (b.name = ?::text OR ?::text IS NULL)", org, scope, name, name);
    }

    private double retries(String cause) {
        var counter = metrics.find("kavach.ledger.retries").tag("cause", cause).counter();
        return counter == null ? 0 : counter.count();
    }

    private void assertNoDrift() {
        AuditReport report = audits.audit(org);
        assertTrue(report.windowsChecked() > 0, "the audit looked at the windows");
        assertEquals(List.of(), report.drift());
    }
}
