package io.kavach.ledger.service;

import io.kavach.ledger.core.AuditReport;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerCommand.Commit;
import io.kavach.ledger.core.LedgerCommand.Ingest;
import io.kavach.ledger.core.LedgerCommand.Release;
import io.kavach.ledger.core.LedgerCommand.Reserve;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.MutableClock;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A seeded random workload of reserve, commit, release, expiry and ingest (alone and in batches)
 * against real PostgreSQL, checked after every operation against an independent in-memory model
 * of the ledger (ADR 0003). Every failure names the seed and the operation, so it can be replayed exactly.
 */
@QuarkusTest
class LedgerModelTest {

    /** Fixed seeds always run; one more from the clock finds new cases (its seed is in any failure). */
    private static final long[] FIXED_SEEDS = {7L, 20261128L, 987654321L};
    private static final int OPERATIONS = 300;
    private static final int CHECK_EVERY = 50;
    private static final int SCALE = 9;

    @Inject
    LedgerProcessor processor;
    @Inject
    AuditService audits;

    static LongStream seeds() {
        return LongStream.concat(LongStream.of(FIXED_SEEDS), LongStream.of(System.nanoTime()));
    }

    @AfterEach
    void resetClock() {
        MutableClock.get().reset();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomWorkloadAgreesWithTheModelAfterEveryOperation(long seed) {
        new Workload(seed).run();
    }

    // ------------------------------------------------------------------------------------------
    // The model: the ledger's rules (ADR 0003) in plain Java, sharing nothing with the production ledger classes.
    // ------------------------------------------------------------------------------------------

    /** A budget as the model knows it; {@code members} null means every agent (org scope). */
    record MBudget(String key, int scopeRank, String period, BigDecimal limit, Set<String> members) {
        boolean appliesTo(String agent) {
            return members == null || members.contains(agent);
        }
    }

    /** One period instance of a budget. */
    static final class MWindow {
        final MBudget budget;
        final Instant start;
        BigDecimal spent = zero();
        BigDecimal reserved = zero();

        MWindow(MBudget budget, Instant start) {
            this.budget = budget;
            this.start = start;
        }

        BigDecimal remaining() {
            return budget.limit().subtract(spent).subtract(reserved);
        }

        String id() {
            return budget.key() + "@" + start;
        }
    }

    enum MStatus { PENDING, COMMITTED, RELEASED, EXPIRED }

    static final class MReservation {
        final UUID id;
        final BigDecimal amount;
        final Instant expiresAt;
        final List<MWindow> windows;
        MStatus status = MStatus.PENDING;
        BigDecimal cost;

        MReservation(UUID id, BigDecimal amount, Instant expiresAt, List<MWindow> windows) {
            this.id = id;
            this.amount = amount;
            this.expiresAt = expiresAt;
            this.windows = windows;
        }
    }

    /** What the first request with a reservation idempotency key asked and how it was answered. */
    record KeyRecord(String fingerprint, boolean held, UUID reservationId) {
    }

    static BigDecimal zero() {
        return BigDecimal.ZERO.setScale(SCALE);
    }

    static Instant windowStart(String period, Instant at) {
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        return switch (period) {
            case "daily" -> day.atStartOfDay(ZoneOffset.UTC).toInstant();
            case "monthly" -> day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            case "total" -> Instant.EPOCH;
            default -> throw new IllegalArgumentException(period);
        };
    }

    // ------------------------------------------------------------------------------------------
    // One seeded run: its own org, budgets, clock and model.
    // ------------------------------------------------------------------------------------------

    private final class Workload {
        private final long seed;
        private final java.util.Random random;
        private final String org = Tokens.newOrg();
        private final MutableClock clock = MutableClock.get();

        private final List<MBudget> budgets = new ArrayList<>();
        private final Map<String, MWindow> windows = new TreeMap<>();
        private final Map<UUID, MReservation> reservations = new LinkedHashMap<>();
        private final Map<String, KeyRecord> reserveKeys = new HashMap<>();
        private final Map<String, Reserve> reserveKeyRequests = new LinkedHashMap<>();
        /** The event first recorded under each idempotency key (the model's truth for duplicates). */
        private final Map<String, SpendEvent> eventKeys = new HashMap<>();
        private final List<String> eventKeyList = new ArrayList<>();
        /** The first event generated under each key, so a workload can redeliver it exactly. */
        private final Map<String, SpendEvent> generatedByKey = new HashMap<>();
        private final Map<String, Integer> tally = new TreeMap<>();

        private final String[] agents = {"a1", "a2", "a3", "a4", "a5", "newcomer"};
        private int op;
        private String opName = "setup";
        private int keyCounter;

        Workload(long seed) {
            this.seed = seed;
            this.random = new java.util.Random(seed);
        }

        void run() {
            try {
                setUp();
                for (op = 0; op < OPERATIONS; op++) {
                    step();
                    if (op % CHECK_EVERY == CHECK_EVERY - 1) {
                        compareDatabase();
                    }
                }
                opName = "final check";
                compareDatabase();
            } catch (AssertionError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new AssertionError(context() + "unexpected " + e, e);
            }
            System.out.printf("LedgerModelTest seed %d: %d operations, %d windows, outcomes %s%n",
                    seed, OPERATIONS, windows.size(), tally);
        }

        private String context() {
            return "[seed " + seed + ", op " + op + " " + opName + ", now " + now() + "] ";
        }

        private void expect(boolean condition, Supplier<String> what) {
            if (!condition) {
                throw new AssertionError(context() + what.get());
            }
        }

        private void expectSame(BigDecimal expected, BigDecimal actual, String what) {
            expect(expected == null ? actual == null : actual != null && expected.compareTo(actual) == 0,
                    () -> what + ": expected " + expected + " but was " + actual);
        }

        private Instant now() {
            return clock.instant();
        }

        // --- set-up -----------------------------------------------------------------------

        private void setUp() {
            // Somewhere in the two days before a month end, in the past, on a whole second.
            clock.pin(Instant.parse("2026-10-31T22:00:00Z").minusSeconds(random.nextInt(2 * 86_400)));
            for (String agent : List.of("a1", "a2", "a3", "a4", "a5")) {
                Fixtures.agent(org, agent);
            }
            budget("org", null, "daily", limit(2.5, 4.0), null);
            if (random.nextBoolean()) {
                budget("org", null, "total", limit(25, 40), null);
            }
            budget("shared", "p1", "daily", limit(0.8, 1.6), Set.of("a1", "a2"));
            budget("shared", "p2", "monthly", limit(3, 5), Set.of("a2", "a3", "a4"));
            budget("shared", "p3", "total", limit(8, 14), Set.of("a1", "a4"));
            budget("agent", "a1", "daily", limit(0.5, 1.0), Set.of("a1"));
            budget("agent", "a2", "monthly", limit(2, 3), Set.of("a2"));
            budget("agent", "a3", "total", limit(5, 8), Set.of("a3"));
        }

        private BigDecimal limit(double low, double high) {
            return BigDecimal.valueOf(low + random.nextDouble() * (high - low)).setScale(2, RoundingMode.HALF_EVEN);
        }

        private void budget(String scope, String name, String period, BigDecimal limit, Set<String> members) {
            String value = limit.toPlainString();
            switch (scope) {
                case "org" -> Fixtures.orgBudget(org, period, value);
                case "shared" -> Fixtures.pool(org, name, period, value, members.toArray(String[]::new));
                default -> Fixtures.agentBudget(org, name, period, value);
            }
            String key = scope.equals("org") ? "org:" + period : scope + ":" + name + ":" + period;
            int rank = switch (scope) {
                case "org" -> 0;
                case "shared" -> 1;
                default -> 2;
            };
            budgets.add(new MBudget(key, rank, period, limit.setScale(SCALE), members));
        }

        // --- operations -------------------------------------------------------------------

        private void step() {
            int dice = random.nextInt(100);
            if (dice < 34) {
                single("reserve", reserveCommand());
            } else if (dice < 54) {
                single("commit", commitCommand());
            } else if (dice < 64) {
                single("release", releaseCommand());
            } else if (dice < 72) {
                opName = "advance";
                advance();
            } else if (dice < 80) {
                opName = "expire";
                advance();
                expire();
            } else if (dice < 92) {
                single("ingest", ingestCommand());
            } else {
                opName = "batch";
                int size = 2 + random.nextInt(4);
                List<LedgerCommand> batch = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    int kind = random.nextInt(4);
                    batch.add(kind == 0 ? reserveCommand() : kind == 1 ? commitCommand()
                            : kind == 2 ? releaseCommand() : ingestCommand());
                }
                opName = "batch " + batch.stream().map(c -> c.getClass().getSimpleName()).toList();
                List<LedgerOutcome> outcomes = processor.process(batch);
                expect(outcomes.size() == batch.size(), () -> "one outcome per command: " + outcomes);
                for (int i = 0; i < batch.size(); i++) {
                    apply(batch.get(i), outcomes.get(i));
                }
            }
        }

        private void single(String name, LedgerCommand command) {
            opName = name + " " + command;
            apply(command, processor.process(List.of(command)).get(0));
        }

        private void apply(LedgerCommand command, LedgerOutcome actual) {
            tally.merge(actual.getClass().getSimpleName(), 1, Integer::sum);
            if (command instanceof Reserve reserve) {
                modelReserve(reserve, actual);
            } else if (command instanceof Commit commit) {
                modelCommit(commit, actual);
            } else if (command instanceof Release release) {
                modelRelease(release, actual);
            } else {
                modelIngest((Ingest) command, actual);
            }
        }

        private void advance() {
            Instant now = now();
            int dice = random.nextInt(100);
            Instant next;
            if (dice < 45) {
                next = now.plusSeconds(1 + random.nextInt(120));
            } else if (dice < 75) {
                next = now.plusSeconds(120 + random.nextInt(3_600));
            } else if (dice < 90) {
                next = now.plusSeconds(3_600 + random.nextInt(8 * 3_600));
            } else {
                // Land just before (or just after) the next midnight or month end.
                LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
                LocalDate boundary = random.nextInt(3) == 0 ? day.withDayOfMonth(1).plusMonths(1) : day.plusDays(1);
                next = boundary.atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(random.nextInt(120) - 90);
                if (!next.isAfter(now)) {
                    next = now.plusSeconds(1 + random.nextInt(90));
                }
            }
            clock.pin(next);
        }

        private void expire() {
            int expired;
            do {
                expired = processor.expire(200);
            } while (expired == 200);
            Instant now = now();
            for (MReservation r : reservations.values()) {
                if (r.status == MStatus.PENDING && !now.isBefore(r.expiresAt)) {
                    r.status = MStatus.EXPIRED;
                    r.windows.forEach(w -> w.reserved = w.reserved.subtract(r.amount));
                }
            }
        }

        private BigDecimal money(double max) {
            int scale = random.nextInt(SCALE + 1);
            long bound = Math.max(1, (long) (max * Math.pow(10, scale)));
            return BigDecimal.valueOf(1 + (long) (random.nextDouble() * bound), scale);
        }

        private String agent() {
            return agents[random.nextInt(agents.length)];
        }

        private Reserve reserveCommand() {
            int dice = random.nextInt(100);
            if (dice < 15 && !reserveKeyRequests.isEmpty()) {
                List<Reserve> sent = List.copyOf(reserveKeyRequests.values());
                Reserve first = sent.get(random.nextInt(sent.size()));
                return switch (random.nextInt(4)) {
                    case 0 -> new Reserve(org, first.agentName(), first.amount().plus(Money.of("0.000000001")),
                            first.ttlSeconds(), first.idempotencyKey(), null, null, null);
                    case 1 -> new Reserve(org, first.agentName(), first.amount(), first.ttlSeconds() % 600 + 1,
                            first.idempotencyKey(), null, null, null);
                    // Same amount written differently (more trailing zeros) is the same request.
                    default -> new Reserve(org, first.agentName(), Money.of(first.amount().value().setScale(SCALE)),
                            first.ttlSeconds(), first.idempotencyKey(), null, null, null);
                };
            }
            String key = dice < 35 ? "rk-" + keyCounter++ : null;
            Reserve reserve = new Reserve(org, agent(), Money.rounded(money(0.6)), 1 + random.nextInt(600), key,
                    null, null, null);
            if (key != null) {
                reserveKeyRequests.put(key, reserve);
            }
            return reserve;
        }

        private UUID pickReservation() {
            if (reservations.isEmpty() || random.nextInt(100) < 4) {
                return UUID.randomUUID(); // unknown to the ledger
            }
            List<MReservation> all = List.copyOf(reservations.values());
            List<MReservation> pending = all.stream().filter(r -> r.status == MStatus.PENDING).toList();
            List<MReservation> from = !pending.isEmpty() && random.nextInt(100) < 60 ? pending : all;
            return from.get(random.nextInt(from.size())).id;
        }

        private Commit commitCommand() {
            UUID id = pickReservation();
            MReservation r = reservations.get(id);
            BigDecimal amount = r == null ? BigDecimal.ONE : r.amount;
            BigDecimal cost;
            int dice = random.nextInt(100);
            if (r != null && r.status == MStatus.COMMITTED && dice < 50) {
                cost = r.cost; // a retried commit
            } else if (dice < 8) {
                cost = BigDecimal.ZERO;
            } else if (dice < 35) {
                cost = amount;
            } else if (dice < 70) {
                cost = amount.multiply(BigDecimal.valueOf(random.nextDouble())).setScale(random.nextInt(SCALE + 1),
                        RoundingMode.DOWN);
            } else {
                cost = amount.add(money(0.3));
            }
            return new Commit(org, id, Money.rounded(cost), null, null);
        }

        private Release releaseCommand() {
            return new Release(org, pickReservation());
        }

        private Ingest ingestCommand() {
            int size = 1 + random.nextInt(5);
            List<SpendEvent> events = new ArrayList<>();
            List<String> batchKeys = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String agent = random.nextInt(10) == 0 ? "late-" + random.nextInt(3) : agent();
                BigDecimal cost = random.nextInt(10) == 0 ? BigDecimal.ZERO : money(0.25);
                String key;
                int dice = random.nextInt(100);
                if (dice < 20) {
                    key = null;
                } else if (dice < 40 && !(eventKeyList.isEmpty() && batchKeys.isEmpty())) {
                    List<String> known = new ArrayList<>(eventKeyList);
                    known.addAll(batchKeys);
                    key = known.get(random.nextInt(known.size()));
                    if (random.nextInt(4) > 0) {
                        events.add(generatedByKey.get(key)); // a redelivery: the same event again
                        continue;
                    }
                    // else the key is reused for another event, which must not be booked
                } else {
                    key = "ek-" + keyCounter++;
                    batchKeys.add(key);
                }
                SpendEvent event = new SpendEvent(agent, Money.rounded(cost), eventTime(), key, "openai", "gpt-4o",
                        null, null, null, null, null);
                if (key != null) {
                    generatedByKey.putIfAbsent(key, event);
                }
                events.add(event);
            }
            return new Ingest(org, events);
        }

        /** Now, earlier today, earlier this month, up to 35 days back, a window edge, or a little ahead. */
        private Instant eventTime() {
            Instant now = now();
            Instant dayStart = windowStart("daily", now);
            Instant monthStart = windowStart("monthly", now);
            Instant oldest = now.minus(Duration.ofDays(35)).plusSeconds(60);
            int dice = random.nextInt(100);
            Instant at;
            if (dice < 40) {
                at = now;
            } else if (dice < 55) {
                at = dayStart.plusSeconds((long) (random.nextDouble() * Duration.between(dayStart, now).getSeconds()));
            } else if (dice < 70) {
                at = monthStart.plusSeconds((long) (random.nextDouble() * Duration.between(monthStart, now).getSeconds()));
            } else if (dice < 80) {
                at = oldest.plusSeconds((long) (random.nextDouble() * Duration.between(oldest, now).getSeconds()));
            } else if (dice < 90) {
                Instant edge = random.nextBoolean() ? dayStart : monthStart;
                at = random.nextBoolean() ? edge : edge.minus(1, ChronoUnit.MICROS);
            } else {
                at = now.plusSeconds(random.nextInt(300));
            }
            return at.isBefore(oldest) ? now : at;
        }

        // --- the model's transitions, each checked against production's answer ---------------

        private List<MBudget> applicable(String agent) {
            return budgets.stream().filter(b -> b.appliesTo(agent)).toList();
        }

        private MWindow window(MBudget budget, Instant at) {
            Instant start = windowStart(budget.period(), at);
            return windows.computeIfAbsent(budget.key() + "@" + start, k -> new MWindow(budget, start));
        }

        private List<MWindow> windowsAt(String agent, Instant at) {
            return applicable(agent).stream().map(b -> window(b, at)).toList();
        }

        private String fingerprint(Reserve reserve) {
            return reserve.agentName() + "|" + reserve.amount().value().stripTrailingZeros().toPlainString() + "|"
                    + reserve.ttlSeconds();
        }

        private void modelReserve(Reserve reserve, LedgerOutcome actual) {
            String key = reserve.idempotencyKey();
            if (key != null && reserveKeys.containsKey(key)) {
                KeyRecord first = reserveKeys.get(key);
                if (!first.fingerprint().equals(fingerprint(reserve))) {
                    expect(actual instanceof LedgerOutcome.KeyReused, () -> "a reused key with another request is "
                            + "KeyReused, was " + actual);
                    return;
                }
                if (first.held()) {
                    expect(actual instanceof LedgerOutcome.Held h && h.reservation().id().equals(first.reservationId()),
                            () -> "a retried reserve replays Held " + first.reservationId() + ", was " + actual);
                } else {
                    expect(actual instanceof LedgerOutcome.Refused, () -> "a retried reserve replays the 429, was "
                            + actual);
                }
                return;
            }
            Instant now = now();
            BigDecimal amount = reserve.amount().value();
            List<MWindow> current = windowsAt(reserve.agentName(), now);
            List<MWindow> short_ = current.stream()
                    .filter(w -> w.spent.add(w.reserved).add(amount).compareTo(w.budget.limit()) > 0).toList();
            if (!short_.isEmpty()) {
                // The org's budget is named first, then a pool's, then the agent's own; tightest first.
                MWindow binding = short_.stream().min(Comparator.comparingInt((MWindow w) -> w.budget.scopeRank())
                        .thenComparing(MWindow::remaining).thenComparing(w -> w.budget.key())).orElseThrow();
                expect(actual instanceof LedgerOutcome.Refused, () -> "reserve " + amount + " does not fit in "
                        + short_.stream().map(w -> w.budget.key() + " remaining " + w.remaining()).toList()
                        + ": expected Refused, was " + actual);
                LedgerOutcome.Refused refused = (LedgerOutcome.Refused) actual;
                expect(refused.binding().key().toString().equals(binding.budget.key()),
                        () -> "refused by " + binding.budget.key() + ", production named " + refused.binding().key());
                if (key != null) {
                    reserveKeys.put(key, new KeyRecord(fingerprint(reserve), false, null));
                }
                return;
            }
            expect(actual instanceof LedgerOutcome.Held, () -> "reserve " + amount + " fits in every window "
                    + current.stream().map(w -> w.budget.key() + " remaining " + w.remaining()).toList()
                    + ": expected Held, was " + actual);
            Reservation held = ((LedgerOutcome.Held) actual).reservation();
            current.forEach(w -> w.reserved = w.reserved.add(amount));
            Instant expiresAt = now.plusSeconds(reserve.ttlSeconds());
            expect(expiresAt.equals(held.expiresAt()), () -> "expires_at " + expiresAt + ", was " + held.expiresAt());
            expectSame(amount, held.amount().value(), "held amount");
            reservations.put(held.id(), new MReservation(held.id(), amount, expiresAt, current));
            if (key != null) {
                reserveKeys.put(key, new KeyRecord(fingerprint(reserve), true, held.id()));
            }
            compareStates(((LedgerOutcome.Held) actual).budgets(), current);
        }

        private void compareStates(List<BudgetState> states, List<MWindow> expected) {
            Set<String> keys = new TreeSet<>();
            for (BudgetState state : states) {
                keys.add(state.key().toString());
                MWindow w = windows.get(state.key() + "@" + state.window().start());
                expect(w != null, () -> "no model window for " + state);
                expectSame(w.spent, state.spent().value(), "spent of " + w.id() + " in the answer");
                expectSame(w.reserved, state.reserved().value(), "reserved of " + w.id() + " in the answer");
            }
            Set<String> expectedKeys = new TreeSet<>();
            expected.forEach(w -> expectedKeys.add(w.budget.key()));
            expect(keys.equals(expectedKeys), () -> "budgets in the answer " + keys + ", expected " + expectedKeys);
        }

        private void modelCommit(Commit commit, LedgerOutcome actual) {
            MReservation r = reservations.get(commit.reservationId());
            BigDecimal cost = commit.cost().value();
            if (r == null) {
                expect(actual instanceof LedgerOutcome.NotFound, () -> "unknown reservation: NotFound, was " + actual);
                return;
            }
            switch (r.status) {
                case COMMITTED -> {
                    if (cost.compareTo(r.cost) == 0) {
                        expectResolved(actual, "committed", r.cost);
                    } else {
                        expectConflict(actual, "reservation_already_committed");
                    }
                    return;
                }
                case RELEASED -> {
                    expectConflict(actual, "reservation_released");
                    return;
                }
                default -> {
                }
            }
            Instant now = now();
            boolean late = r.status == MStatus.EXPIRED || !now.isBefore(r.expiresAt);
            for (MWindow w : r.windows) {
                if (r.status == MStatus.PENDING) {
                    w.reserved = w.reserved.subtract(r.amount);
                }
                w.spent = w.spent.add(cost);
            }
            r.status = MStatus.COMMITTED;
            r.cost = cost;
            Reservation resolved = expectResolved(actual, "committed", cost);
            expect(resolved.late() == late, () -> "late should be " + late + " (expires_at " + r.expiresAt + ")");
            boolean overrun = cost.compareTo(r.amount) > 0;
            expect(resolved.overrun() == overrun, () -> "overrun should be " + overrun + " (hold " + r.amount + ")");
        }

        private void modelRelease(Release release, LedgerOutcome actual) {
            MReservation r = reservations.get(release.reservationId());
            if (r == null) {
                expect(actual instanceof LedgerOutcome.NotFound, () -> "unknown reservation: NotFound, was " + actual);
                return;
            }
            switch (r.status) {
                case RELEASED -> expectResolved(actual, "released", null);
                case EXPIRED -> expectResolved(actual, "expired", null);
                case COMMITTED -> expectConflict(actual, "reservation_already_committed");
                case PENDING -> {
                    r.windows.forEach(w -> w.reserved = w.reserved.subtract(r.amount));
                    r.status = MStatus.RELEASED;
                    expectResolved(actual, "released", null);
                }
                default -> throw new IllegalStateException();
            }
        }

        private Reservation expectResolved(LedgerOutcome actual, String status, BigDecimal cost) {
            expect(actual instanceof LedgerOutcome.Resolved, () -> "expected Resolved " + status + ", was " + actual);
            Reservation r = ((LedgerOutcome.Resolved) actual).reservation();
            expect(r.status().wireName().equals(status), () -> "status " + status + ", was " + r.status());
            expectSame(cost, r.cost() == null ? null : r.cost().value(), "cost of " + r.id());
            return r;
        }

        private void expectConflict(LedgerOutcome actual, String reason) {
            expect(actual instanceof LedgerOutcome.Conflict c && c.reason().equals(reason),
                    () -> "expected Conflict " + reason + ", was " + actual);
        }

        private void modelIngest(Ingest ingest, LedgerOutcome actual) {
            int accepted = 0;
            int duplicates = 0;
            List<Integer> keyReused = new ArrayList<>();
            Set<String> agentsInBatch = new TreeSet<>();
            for (int i = 0; i < ingest.events().size(); i++) {
                SpendEvent event = ingest.events().get(i);
                agentsInBatch.add(event.agentName());
                String key = event.idempotencyKey();
                SpendEvent recorded = key == null ? null : eventKeys.putIfAbsent(key, event);
                if (recorded != null) {
                    boolean same = recorded.agentName().equals(event.agentName())
                            && recorded.cost().compareTo(event.cost()) == 0
                            && recorded.occurredAt().truncatedTo(ChronoUnit.MICROS)
                                    .equals(event.occurredAt().truncatedTo(ChronoUnit.MICROS));
                    if (same) {
                        duplicates++;
                    } else {
                        keyReused.add(i);
                    }
                    continue;
                }
                if (key != null) {
                    eventKeyList.add(key);
                }
                accepted++;
                BigDecimal cost = event.cost().value();
                windowsAt(event.agentName(), event.occurredAt()).forEach(w -> w.spent = w.spent.add(cost));
            }
            Instant now = now();
            Set<String> exhausted = new TreeSet<>();
            for (String agent : agentsInBatch) {
                for (MWindow w : windowsAt(agent, now)) {
                    if (w.remaining().signum() <= 0) {
                        exhausted.add(w.budget.key());
                    }
                }
            }
            int acceptedExpected = accepted;
            int duplicatesExpected = duplicates;
            expect(actual instanceof LedgerOutcome.Ingested i && i.accepted() == acceptedExpected
                            && i.duplicates() == duplicatesExpected && i.keyReused().equals(keyReused),
                    () -> "expected Ingested accepted " + acceptedExpected + " duplicates " + duplicatesExpected
                            + " key reused " + keyReused + ", was " + actual);
            Set<String> reported = new TreeSet<>();
            ((LedgerOutcome.Ingested) actual).exhausted().forEach(s -> reported.add(s.key().toString()));
            expect(reported.equals(exhausted), () -> "exhausted budgets " + exhausted + ", production said " + reported);
        }

        // --- the database against the model -------------------------------------------------

        private void compareDatabase() {
            Map<String, MWindow> unseen = new TreeMap<>(windows);
            for (Map<String, Object> row : Fixtures.queryRows("""
                    SELECT b.scope, b.name, b.period, extract(epoch FROM w.window_start)::bigint AS start_s,
                           w.spent, w.reserved
                      FROM budget_window w JOIN budget b ON b.id = w.budget_id
                     WHERE b.org_id = ?""", org)) {
                String scope = (String) row.get("scope");
                String key = scope.equals("org") ? "org:" + row.get("period")
                        : scope + ":" + row.get("name") + ":" + row.get("period");
                String id = key + "@" + Instant.ofEpochSecond(((Number) row.get("start_s")).longValue());
                MWindow w = unseen.remove(id);
                BigDecimal spent = w == null ? zero() : w.spent;
                BigDecimal reserved = w == null ? zero() : w.reserved;
                expectSame(spent, (BigDecimal) row.get("spent"), "spent of window " + id + " in the database");
                expectSame(reserved, (BigDecimal) row.get("reserved"), "reserved of window " + id + " in the database");
            }
            for (MWindow w : unseen.values()) {
                expect(w.spent.signum() == 0 && w.reserved.signum() == 0,
                        () -> "window " + w.id() + " (spent " + w.spent + ", reserved " + w.reserved
                                + ") is missing from the database");
            }
            Map<UUID, MReservation> unseenReservations = new HashMap<>(reservations);
            for (Map<String, Object> row : Fixtures.queryRows(
                    "SELECT id, status, cost FROM reservation WHERE org_id = ? AND status <> 'rejected'", org)) {
                MReservation r = unseenReservations.remove((UUID) row.get("id"));
                expect(r != null, () -> "reservation " + row + " is not in the model");
                expect(r.status.name().toLowerCase().equals(row.get("status")),
                        () -> "reservation " + r.id + " is " + r.status + " in the model, " + row.get("status") + " in the database");
                expectSame(r.cost, (BigDecimal) row.get("cost"), "cost of reservation " + r.id);
            }
            expect(unseenReservations.isEmpty(), () -> "reservations missing from the database: "
                    + unseenReservations.keySet());
            AuditReport report = audits.audit(org);
            expect(report.drift().isEmpty(), () -> "audit drift " + report.drift());
            expect(report.windowsChecked() > 0, () -> "the audit looked at no windows");
        }
    }
}
