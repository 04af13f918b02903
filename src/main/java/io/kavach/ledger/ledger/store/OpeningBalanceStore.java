package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.ledger.Money;
import io.kavach.ledger.ledger.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.UUID;

/**
 * Opening balances (ADR 0008): a budget created (or brought back) mid-period counts the spend its
 * scope already booked in its current window's period. The carried-in amount is added to the
 * window's {@code spent} and written to the journal as an {@code opening} entry naming that
 * window, so the audit re-derives it exactly.
 *
 * <p>Runs inside a budget-definition transaction, which holds the org's definitions lock
 * exclusively: no ledger batch of the org runs meanwhile, so the sum is exact.
 */
@ApplicationScoped
public class OpeningBalanceStore {

    private static final String ENSURE_WINDOW = """
            INSERT INTO budget_window (budget_id, window_start, window_end, limit_value)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (budget_id, window_start) DO NOTHING
            """;
    private static final String LOCK_WINDOW =
            "SELECT id FROM budget_window WHERE budget_id = ? AND window_start = ? FOR UPDATE";
    // Spend of the scope in [start, end) not already booked into the window: ingested events by the
    // time they happened, reservation outcomes by the time the hold was placed (as the ledger books them).
    private static final String SCOPE_SPEND = """
            SELECT coalesce((SELECT sum(e.cost) FROM spend_event e
                              WHERE e.org_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?
                                AND (? OR e.agent_id = ANY(?))
                                AND NOT (? = ANY(e.window_ids))), 0)
                 + coalesce((SELECT sum(j.spent_delta) FROM journal_entry j JOIN reservation r ON r.id = j.reservation_id
                              WHERE j.org_id = ? AND r.org_id = ? AND r.created_at >= ? AND r.created_at < ?
                                AND (? OR r.agent_id = ANY(?))
                                AND NOT (? = ANY(j.window_ids))), 0)
            """;
    private static final String ADD_SPENT = "UPDATE budget_window SET spent = spent + ? WHERE id = ?";
    private static final String INSERT_OPENING = """
            INSERT INTO journal_entry (org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta)
            VALUES (?, 'opening', NULL, ARRAY[?]::bigint[], 0, ?)
            """;
    /** Far enough past any timestamp the ledger accepts to stand for "no end" (a total window). */
    private static final java.time.Instant NO_END = java.time.Instant.parse("9999-01-01T00:00:00Z");

    @Inject
    AgroalDataSource dataSource;

    /**
     * Carries into the budget's window {@code window} the spend of its scope: every agent of the
     * org when {@code agentIds} is null, else those agents. Returns the amount carried in.
     */
    public Money open(String orgId, UUID budgetId, Window window, Money limit, Collection<Long> agentIds) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement ensure = connection.prepareStatement(ENSURE_WINDOW)) {
                ensure.setObject(1, budgetId);
                Sql.setInstant(ensure, 2, window.start());
                Sql.setInstant(ensure, 3, window.end());
                ensure.setBigDecimal(4, limit.value());
                ensure.executeUpdate();
            }
            long windowId;
            try (PreparedStatement lock = connection.prepareStatement(LOCK_WINDOW)) {
                lock.setObject(1, budgetId);
                Sql.setInstant(lock, 2, window.start());
                try (ResultSet row = lock.executeQuery()) {
                    row.next();
                    windowId = row.getLong(1);
                }
            }
            BigDecimal carried;
            try (PreparedStatement sum = connection.prepareStatement(SCOPE_SPEND)) {
                java.time.Instant end = window.end() == null ? NO_END : window.end();
                boolean everyAgent = agentIds == null;
                java.sql.Array agents = Sql.longs(connection, everyAgent ? java.util.List.of() : agentIds);
                int i = 1;
                sum.setString(i++, orgId);
                Sql.setInstant(sum, i++, window.start());
                Sql.setInstant(sum, i++, end);
                sum.setBoolean(i++, everyAgent);
                sum.setArray(i++, agents);
                sum.setLong(i++, windowId);
                sum.setString(i++, orgId);
                sum.setString(i++, orgId);
                Sql.setInstant(sum, i++, window.start());
                Sql.setInstant(sum, i++, end);
                sum.setBoolean(i++, everyAgent);
                sum.setArray(i++, agents);
                sum.setLong(i, windowId);
                try (ResultSet row = sum.executeQuery()) {
                    row.next();
                    carried = row.getBigDecimal(1);
                }
            }
            if (carried.signum() <= 0) {
                return Money.ZERO;
            }
            try (PreparedStatement add = connection.prepareStatement(ADD_SPENT);
                 PreparedStatement journal = connection.prepareStatement(INSERT_OPENING)) {
                add.setBigDecimal(1, carried);
                add.setLong(2, windowId);
                add.executeUpdate();
                journal.setString(1, orgId);
                journal.setLong(2, windowId);
                journal.setBigDecimal(3, carried);
                journal.executeUpdate();
            }
            return Money.of(carried);
        } catch (SQLException e) {
            throw new StoreException("could not carry the opening balance into budget " + budgetId, e);
        }
    }
}
