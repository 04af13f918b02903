package io.kavach.ledger.store;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.JournalEntry;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Window;
import io.kavach.ledger.core.WindowBalance;
import io.kavach.ledger.core.WindowSpec;
import io.kavach.ledger.core.WindowSpec.WindowRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The spend path's windows ({@code budget_window} counters), its journal ({@code journal_entry})
 * and the org's budget-definitions lock; beside it, {@link ReservationStore} and
 * {@link SpendEventStore}. Every method works inside the caller's transaction.
 *
 * <p><b>The ledger's lock order</b>, written here once; ADR 0003 and the processor cite these
 * numbers. Every ledger transaction (a batch of {@code LedgerProcessor}, the expiry sweep) takes
 * its locks in these steps, skipping those it does not need:
 * <ol start="0">
 *   <li>which of the batch's API keys are live (ADR 0004): a read, no lock;</li>
 *   <li>each org's budget definitions, a shared advisory lock, orgs sorted (ADR 0008;
 *       definition writers take it exclusively, before their org row);</li>
 *   <li>reservation rows of commits and releases ({@link ReservationStore}), ascending id, {@code FOR UPDATE} (the sweep:
 *       expired pending rows, ascending id, {@code SKIP LOCKED}); reservations under the batch's
 *       idempotency keys are read without a lock;</li>
 *   <li>agents: the org's default budgets they lack inserted (agent, type, period order; ADR
 *       0015), then they and what applies to them read without a lock; then, in one more round
 *       trip when some do not exist yet, those created, names sorted ({@code AgentStore}; the
 *       insert's foreign key check key-share locks the org row), and the same again for them;</li>
 *   <li>missing windows created, sorted by budget and start;</li>
 *   <li>spend events inserted ({@link SpendEventStore}), sorted by org and idempotency key;</li>
 *   <li>every window the batch touches, in one statement, ascending id, {@code FOR UPDATE};</li>
 *   <li>under those locks, the writes: window counters, alert outbox rows (ADR 0011), new
 *       reservations sorted by org and idempotency key, reservation updates, journal rows, then
 *       spend rollup rows and refusal rows, each upserted sorted by key (ADR 0010).</li>
 * </ol>
 * A transaction waiting at one step holds only locks of earlier steps, so two ledger transactions
 * can never wait on each other in a cycle. Consecutive steps whose inputs are known travel in one
 * {@link RoundTrip}, whose statements run in the order added: this order.
 */
@ApplicationScoped
public class LedgerStore {

    /**
     * The advisory lock key of an org's budget definitions (one text parameter: the org id).
     * Budget-definition writers hold it exclusively for their transaction
     * ({@link BudgetDefinitionStore#lockOrg}); every ledger batch holds it shared, first of all
     * its locks, so it reads what applies and creates windows either wholly before or wholly
     * after a definition change (a new window never starts with a limit an admin just lowered).
     */
    public static final String DEFINITIONS_LOCK_KEY = "hashtextextended('kavach.budgets:' || ?, 0)";
    private static final String SHARE_DEFINITIONS = """
            SELECT count(pg_advisory_xact_lock_shared(hashtextextended('kavach.budgets:' || o.org_id, 0)))
              FROM (SELECT DISTINCT org_id FROM unnest(?::text[]) AS t(org_id) ORDER BY org_id) AS o
            """;

    private static final String ENSURE_WINDOWS = """
            INSERT INTO budget_window (budget_id, window_start, window_end, limit_value)
            SELECT t.budget_id, t.window_start::timestamptz, t.window_end::timestamptz, t.limit_value
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::numeric[]) AS t(budget_id, window_start, window_end, limit_value)
             ORDER BY t.budget_id, t.window_start::timestamptz
            ON CONFLICT (budget_id, window_start) DO NOTHING
            """;
    private static final String LOCK_WINDOWS = """
            SELECT w.id, w.budget_id, w.window_start, w.window_end, w.limit_value, w.spent, w.reserved,
                   b.scope, b.name, b.budget_type, b.period, b.limit_value AS budget_limit, b.timezone, b.model, b.provider
              FROM budget_window w JOIN budget b ON b.id = w.budget_id
             WHERE w.id = ANY(?)
                OR (w.budget_id, w.window_start) IN (
                    SELECT t.budget_id, t.window_start::timestamptz
                      FROM unnest(?::uuid[], ?::text[]) AS t(budget_id, window_start))
             ORDER BY w.id
               FOR UPDATE OF w
            """;
    private static final String WINDOW_IDS = """
            SELECT w.id, w.budget_id, w.window_start
              FROM budget_window w
             WHERE (w.budget_id, w.window_start) IN (
                    SELECT t.budget_id, t.window_start::timestamptz
                      FROM unnest(?::uuid[], ?::text[]) AS t(budget_id, window_start))
            """;
    private static final String INSERT_JOURNAL = """
            INSERT INTO journal_entry (org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta, unit)
            SELECT t.org_id, t.kind, t.reservation_id, t.window_ids::bigint[], t.reserved_delta, t.spent_delta, t.unit
              FROM unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::numeric[], ?::numeric[], ?::text[])
                   AS t(org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta, unit)
            """;
    private static final String UPDATE_WINDOWS = """
            UPDATE budget_window w
               SET spent = t.spent, reserved = t.reserved
              FROM unnest(?::bigint[], ?::numeric[], ?::numeric[]) AS t(id, spent, reserved)
             WHERE w.id = t.id
            """;

    /**
     * The batch's first lock: the budget definitions of each of its orgs, shared (many batches of
     * one org run side by side; a definition change waits for them and they for it).
     */
    public void shareBudgetDefinitions(RoundTrip trip, Collection<String> orgIds) {
        if (!orgIds.isEmpty()) {
            trip.query(SHARE_DEFINITIONS, p -> p.setArray(1, Sql.texts(p.connection(), orgIds)), rows -> null);
        }
    }

    // ---------------------------------------------------------------- windows

    /** Creates the windows that do not exist yet, with the budget's current limit. Locks nothing that exists. */
    public void ensureWindows(RoundTrip trip, Collection<WindowSpec> specs) {
        if (specs.isEmpty()) {
            return;
        }
        List<WindowSpec> sorted = specs.stream()
                .sorted(Comparator.comparing((WindowSpec s) -> s.budget().id()).thenComparing(s -> s.window().start()))
                .toList();
        trip.update(ENSURE_WINDOWS, p -> {
            p.setArray(1, Sql.uuids(p.connection(), sorted.stream().map(s -> s.budget().id()).toList()));
            p.setArray(2, Sql.instants(p.connection(), sorted.stream().map(s -> s.window().start()).toList()));
            p.setArray(3, Sql.instants(p.connection(), sorted.stream().map(s -> s.window().end()).toList()));
            p.setArray(4, Sql.decimals(p.connection(), sorted.stream().map(s -> s.budget().limit().value()).toList()));
        });
    }

    /** The row ids of existing windows, without locking them (a window's id never changes). */
    public RoundTrip.Result<Map<WindowRef, Long>> windowIds(RoundTrip trip, Collection<WindowRef> refs) {
        if (refs.isEmpty()) {
            return RoundTrip.Result.of(new HashMap<>());
        }
        return trip.query(WINDOW_IDS, p -> {
            p.setArray(1, Sql.uuids(p.connection(), refs.stream().map(WindowRef::budgetId).toList()));
            p.setArray(2, Sql.instants(p.connection(), refs.stream().map(WindowRef::start).toList()));
        }, row -> {
            Map<WindowRef, Long> ids = new HashMap<>();
            while (row.next()) {
                ids.put(new WindowRef(row.getObject("budget_id", UUID.class), Sql.getInstant(row, "window_start")),
                        row.getLong("id"));
            }
            return ids;
        });
    }

    /**
     * Locks, in one statement and ascending id order, every window named by ref or by id, and
     * returns their counters keyed by row id.
     */
    public RoundTrip.Result<Map<Long, WindowBalance>> lockWindows(RoundTrip trip, Collection<WindowRef> refs,
                                                                   Collection<Long> ids) {
        if (refs.isEmpty() && ids.isEmpty()) {
            return RoundTrip.Result.of(new LinkedHashMap<>());
        }
        return trip.query(LOCK_WINDOWS, p -> {
            p.setArray(1, Sql.longs(p.connection(), ids));
            p.setArray(2, Sql.uuids(p.connection(), refs.stream().map(WindowRef::budgetId).toList()));
            p.setArray(3, Sql.instants(p.connection(), refs.stream().map(WindowRef::start).toList()));
        }, row -> {
            Map<Long, WindowBalance> locked = new LinkedHashMap<>();
            while (row.next()) {
                Budget budget = new Budget(row.getObject("budget_id", UUID.class), BudgetRows.key(row),
                        row.getString("budget_type"), Money.of(row.getBigDecimal("budget_limit")), null,
                        BudgetRows.timezone(row));
                long id = row.getLong("id");
                locked.put(id, new WindowBalance(id, budget,
                        new Window(Sql.getInstant(row, "window_start"), Sql.getInstant(row, "window_end")),
                        Money.of(row.getBigDecimal("limit_value")), Money.of(row.getBigDecimal("spent")),
                        Money.of(row.getBigDecimal("reserved"))));
            }
            return locked;
        });
    }

    /** Writes back the counters of every window this transaction changed. */
    public void updateWindows(RoundTrip trip, Collection<WindowBalance> windows) {
        List<WindowBalance> changed = windows.stream().filter(WindowBalance::changed).toList();
        if (changed.isEmpty()) {
            return;
        }
        trip.update(UPDATE_WINDOWS, p -> {
            p.setArray(1, Sql.longs(p.connection(), changed.stream().map(WindowBalance::windowId).toList()));
            p.setArray(2, Sql.decimals(p.connection(), changed.stream().map(w -> w.spent().value()).toList()));
            p.setArray(3, Sql.decimals(p.connection(), changed.stream().map(w -> w.reserved().value()).toList()));
        });
    }

    // ---------------------------------------------------------------- journal

    public void insertJournal(RoundTrip trip, List<JournalEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        trip.update(INSERT_JOURNAL, p -> {
            p.setArray(1, Sql.texts(p.connection(), entries.stream().map(JournalEntry::orgId).toList()));
            p.setArray(2, Sql.texts(p.connection(), entries.stream().map(e -> e.kind().wireName()).toList()));
            p.setArray(3, Sql.uuids(p.connection(), entries.stream().map(JournalEntry::reservationId).toList()));
            p.setArray(4, Sql.texts(p.connection(), entries.stream().map(e -> Sql.arrayLiteral(e.windowIds())).toList()));
            p.setArray(5, Sql.decimals(p.connection(), entries.stream().map(e -> e.reservedDelta().value()).toList()));
            p.setArray(6, Sql.decimals(p.connection(), entries.stream().map(e -> e.spentDelta().value()).toList()));
            p.setArray(7, Sql.texts(p.connection(), entries.stream().map(e -> e.unit().wireName()).toList()));
        });
    }
}
