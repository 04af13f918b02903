package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Opening balances (ADR 0008): a budget created (or brought back) mid-period counts the spend its
 * scope already booked in its current window's period. The carried-in amount is added to the
 * window's {@code spent} and written to the journal as an {@code opening} entry naming that
 * window, so the audit re-derives it exactly.
 *
 * <p>Runs inside a budget-definition transaction, which holds the org's definitions lock
 * exclusively: no ledger batch of the org runs meanwhile, so the sums are exact. All budgets of
 * one write are opened together: the org's spend since the earliest window start is read once,
 * and matched to agent and pool budgets by agent (a hash join), so a config apply that creates
 * thousands of agent budgets costs one pass over that spend, not one per budget.
 */
@ApplicationScoped
public class OpeningBalanceStore {

    /** One budget to open: its current window and whose spend it counts (null: every agent of the org). */
    public record Opening(UUID budgetId, Window window, Money limit, Collection<Long> agentIds) {
    }

    private static final String ENSURE_WINDOWS = """
            INSERT INTO budget_window (budget_id, window_start, window_end, limit_value)
            SELECT t.budget_id, t.window_start::timestamptz, t.window_end::timestamptz, t.limit_value
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::numeric[]) AS t(budget_id, window_start, window_end, limit_value)
             ORDER BY t.budget_id, t.window_start::timestamptz
            ON CONFLICT (budget_id, window_start) DO NOTHING
            """;
    private static final String LOCK_WINDOWS = """
            SELECT w.id, w.budget_id FROM budget_window w
             WHERE (w.budget_id, w.window_start) IN (
                    SELECT t.budget_id, t.window_start::timestamptz
                      FROM unnest(?::uuid[], ?::text[]) AS t(budget_id, window_start))
             ORDER BY w.id
               FOR UPDATE
            """;
    // Spend of each window's scope in [start, end) not already booked into that window: ingested
    // events by the time they happened, reservation outcomes by the time the hold was placed (as
    // the ledger books them). Org-wide windows match every agent; the others join by agent.
    private static final String SCOPE_SPEND = """
            WITH o AS (
                SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::boolean[])
                       AS o(window_id, window_start, window_end, every_agent)
            ), m AS (
                SELECT * FROM unnest(?::bigint[], ?::bigint[]) AS m(window_id, agent_id)
            ), spend AS (
                SELECT e.agent_id, e.cost, e.occurred_at AS at, e.window_ids
                  FROM spend_event e
                 WHERE e.org_id = ? AND e.occurred_at >= ?::timestamptz
                UNION ALL
                SELECT r.agent_id, j.spent_delta, r.created_at, j.window_ids
                  FROM journal_entry j JOIN reservation r ON r.id = j.reservation_id
                 WHERE j.org_id = ? AND j.unit = 'cost' AND j.spent_delta <> 0 AND r.created_at >= ?::timestamptz
            ), matched AS (
                SELECT o.window_id, s.cost
                  FROM o JOIN spend s
                    ON o.every_agent AND s.at >= o.window_start::timestamptz AND s.at < o.window_end::timestamptz
                   AND NOT (o.window_id = ANY(s.window_ids))
                UNION ALL
                SELECT o.window_id, s.cost
                  FROM m JOIN o ON o.window_id = m.window_id AND NOT o.every_agent
                  JOIN spend s ON s.agent_id = m.agent_id
                   AND s.at >= o.window_start::timestamptz AND s.at < o.window_end::timestamptz
                   AND NOT (o.window_id = ANY(s.window_ids))
            )
            SELECT window_id, sum(cost) FROM matched GROUP BY window_id HAVING sum(cost) > 0
            """;
    private static final String ADD_SPENT = """
            UPDATE budget_window w SET spent = w.spent + t.amount
              FROM unnest(?::bigint[], ?::numeric[]) AS t(id, amount)
             WHERE w.id = t.id
            """;
    private static final String INSERT_OPENINGS = """
            INSERT INTO journal_entry (org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta)
            SELECT ?, 'opening', NULL, ARRAY[t.id], 0, t.amount
              FROM unnest(?::bigint[], ?::numeric[]) AS t(id, amount)
             ORDER BY t.id
            """;
    /** Far enough past any timestamp the ledger accepts to stand for "no end" (a total window). */
    private static final Instant NO_END = Instant.parse("9999-01-01T00:00:00Z");

    @Inject
    AgroalDataSource dataSource;

    /** Carries into each budget's window the spend of its scope; returns the amount carried in, by budget. */
    public Map<UUID, Money> open(String orgId, List<Opening> openings) {
        Map<UUID, Money> carried = new HashMap<>();
        if (openings.isEmpty()) {
            return carried;
        }
        try (Connection connection = dataSource.getConnection()) {
            Map<UUID, Long> windowIds = lockWindows(connection, openings);
            TreeMap<Long, BigDecimal> amounts = scopeSpend(connection, orgId, openings, windowIds);
            if (amounts.isEmpty()) {
                return carried;
            }
            book(connection, orgId, amounts);
            windowIds.forEach((budget, window) -> {
                if (amounts.containsKey(window)) {
                    carried.put(budget, Money.of(amounts.get(window)));
                }
            });
            return carried;
        } catch (SQLException e) {
            throw new StoreException("could not carry opening balances into new budgets", e);
        }
    }

    /** Creates the openings' windows if missing and locks them; their ids by budget. */
    private static Map<UUID, Long> lockWindows(Connection connection, List<Opening> openings) throws SQLException {
        List<UUID> budgets = openings.stream().map(Opening::budgetId).toList();
        List<Instant> starts = openings.stream().map(o -> o.window().start()).toList();
        try (PreparedStatement ensure = connection.prepareStatement(ENSURE_WINDOWS)) {
            ensure.setArray(1, Sql.uuids(connection, budgets));
            ensure.setArray(2, Sql.instants(connection, starts));
            ensure.setArray(3, Sql.instants(connection, openings.stream().map(o -> o.window().end()).toList()));
            ensure.setArray(4, Sql.decimals(connection, openings.stream().map(o -> o.limit().value()).toList()));
            ensure.executeUpdate();
        }
        Map<UUID, Long> windowIds = new HashMap<>();
        try (PreparedStatement lock = connection.prepareStatement(LOCK_WINDOWS)) {
            lock.setArray(1, Sql.uuids(connection, budgets));
            lock.setArray(2, Sql.instants(connection, starts));
            try (ResultSet row = lock.executeQuery()) {
                while (row.next()) {
                    windowIds.put(row.getObject("budget_id", UUID.class), row.getLong("id"));
                }
            }
        }
        return windowIds;
    }

    /** What each opening's scope spent in its window so far, by window id (windows with none left out). */
    private static TreeMap<Long, BigDecimal> scopeSpend(Connection connection, String orgId, List<Opening> openings,
                                                        Map<UUID, Long> windowIds) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<Instant> windowStarts = new ArrayList<>();
        List<Instant> windowEnds = new ArrayList<>();
        List<Boolean> everyAgent = new ArrayList<>();
        List<Long> memberWindows = new ArrayList<>();
        List<Long> members = new ArrayList<>();
        Instant earliest = NO_END;
        for (Opening opening : openings) {
            long windowId = windowIds.get(opening.budgetId());
            ids.add(windowId);
            windowStarts.add(opening.window().start());
            windowEnds.add(opening.window().end() == null ? NO_END : opening.window().end());
            everyAgent.add(opening.agentIds() == null);
            if (opening.agentIds() != null) {
                for (Long agent : opening.agentIds()) {
                    memberWindows.add(windowId);
                    members.add(agent);
                }
            }
            if (opening.window().start().isBefore(earliest)) {
                earliest = opening.window().start();
            }
        }
        TreeMap<Long, BigDecimal> amounts = new TreeMap<>();
        try (PreparedStatement sum = connection.prepareStatement(SCOPE_SPEND)) {
            sum.setArray(1, Sql.longs(connection, ids));
            sum.setArray(2, Sql.instants(connection, windowStarts));
            sum.setArray(3, Sql.instants(connection, windowEnds));
            sum.setArray(4, connection.createArrayOf("boolean", everyAgent.toArray()));
            sum.setArray(5, Sql.longs(connection, memberWindows));
            sum.setArray(6, Sql.longs(connection, members));
            sum.setString(7, orgId);
            sum.setString(8, earliest.toString());
            sum.setString(9, orgId);
            sum.setString(10, earliest.toString());
            try (ResultSet row = sum.executeQuery()) {
                while (row.next()) {
                    amounts.put(row.getLong(1), row.getBigDecimal(2));
                }
            }
        }
        return amounts;
    }

    /** Adds the amounts to the windows' {@code spent} and journals each as an opening entry. */
    private static void book(Connection connection, String orgId, TreeMap<Long, BigDecimal> amounts)
            throws SQLException {
        List<Long> changed = new ArrayList<>(amounts.keySet());
        List<BigDecimal> values = new ArrayList<>(amounts.values());
        try (PreparedStatement add = connection.prepareStatement(ADD_SPENT);
             PreparedStatement journal = connection.prepareStatement(INSERT_OPENINGS)) {
            add.setArray(1, Sql.longs(connection, changed));
            add.setArray(2, Sql.decimals(connection, values));
            add.executeUpdate();
            journal.setString(1, orgId);
            journal.setArray(2, Sql.longs(connection, changed));
            journal.setArray(3, Sql.decimals(connection, values));
            journal.executeUpdate();
        }
    }
}
