package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.AuditReport;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.OrgLimit;
import io.kavach.ledger.core.OrgLimitReached;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-derives every window's counters from the append-only records (journal entries and spend
 * events) in one statement, hence one consistent snapshot, and reports where they disagree.
 */
@ApplicationScoped
public class AuditStore {

    private static final String AUDIT = """
            WITH journal AS (
                SELECT w AS window_id, sum(j.spent_delta) AS spent, sum(j.reserved_delta) AS reserved
                  FROM journal_entry j, unnest(j.window_ids) AS w
                 WHERE j.org_id = ?
                 GROUP BY w
            ), events AS (
                -- Each event counts in its window's unit (ADR 0015).
                SELECT w AS window_id, sum(CASE b.budget_type
                           WHEN 'cost' THEN e.cost
                           WHEN 'tokens' THEN coalesce(e.input_tokens, 0) + coalesce(e.output_tokens, 0)
                           WHEN 'input_tokens' THEN coalesce(e.input_tokens, 0)
                           WHEN 'output_tokens' THEN coalesce(e.output_tokens, 0)
                           ELSE 1 END) AS spent
                  FROM spend_event e, unnest(e.window_ids) AS w, budget_window ew, budget b
                 WHERE e.org_id = ? AND ew.id = w AND b.id = ew.budget_id
                 GROUP BY w
            )
            SELECT bw.id, b.scope, b.name, b.period, bw.window_start, bw.spent, bw.reserved,
                   coalesce(journal.spent, 0) + coalesce(events.spent, 0) AS journal_spent,
                   coalesce(journal.reserved, 0) AS journal_reserved
              FROM budget_window bw
              JOIN budget b ON b.id = bw.budget_id
              LEFT JOIN journal ON journal.window_id = bw.id
              LEFT JOIN events ON events.window_id = bw.id
             WHERE b.org_id = ?
             ORDER BY bw.id
            """;

    @Inject
    AgroalDataSource dataSource;

    // A session-level advisory lock per (org, slot), on the audit's own connection: across every
    // instance at most that many audits of one org run at once. Released in finally, and by
    // PostgreSQL should the connection die.
    private static final String TRY_SLOT = "SELECT pg_try_advisory_lock(hashtextextended(?, 0))";
    private static final String RELEASE_SLOT = "SELECT pg_advisory_unlock(hashtextextended(?, 0))";

    /**
     * The audit of {@code orgId}, or {@link OrgLimitReached} ({@link OrgLimit#CONCURRENT_AUDITS})
     * when {@code concurrentMax} audits of the org are already running.
     */
    public AuditReport audit(String orgId, int concurrentMax) {
        try (Connection connection = dataSource.getConnection()) {
            String slot = null;
            for (int i = 0; i < concurrentMax && slot == null; i++) {
                String key = "kavach.audit:" + orgId + ":" + i;
                if (lock(connection, TRY_SLOT, key)) {
                    slot = key;
                }
            }
            if (slot == null) {
                throw new OrgLimitReached(OrgLimit.CONCURRENT_AUDITS, concurrentMax,
                        "An org may run " + concurrentMax + " audit(s) at once and one is running; retry when it is done");
            }
            try {
                return audit(connection, orgId);
            } finally {
                lock(connection, RELEASE_SLOT, slot);
            }
        } catch (SQLException e) {
            throw new StoreException("audit failed", e);
        }
    }

    private static boolean lock(Connection connection, String sql, String key) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, key);
            try (ResultSet row = statement.executeQuery()) {
                return row.next() && row.getBoolean(1);
            }
        }
    }

    private AuditReport audit(Connection connection, String orgId) throws SQLException {
        int checked = 0;
        List<AuditReport.Drift> drift = new ArrayList<>();
        try (PreparedStatement query = connection.prepareStatement(AUDIT)) {
            query.setString(1, orgId);
            query.setString(2, orgId);
            query.setString(3, orgId);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    checked++;
                    Scope scope = Scope.fromWire(row.getString("scope")).orElseThrow();
                    BudgetKey key = new BudgetKey(scope, scope == Scope.ORG ? null : row.getString("name"),
                            Period.fromWire(row.getString("period")).orElseThrow());
                    Instant start = Sql.getInstant(row, "window_start");
                    compare(drift, key, start, "spent", row.getBigDecimal("spent"), row.getBigDecimal("journal_spent"));
                    compare(drift, key, start, "reserved", row.getBigDecimal("reserved"),
                            row.getBigDecimal("journal_reserved"));
                }
            }
        }
        return new AuditReport(checked, drift);
    }

    private static void compare(List<AuditReport.Drift> drift, BudgetKey key, Instant start, String field,
                                BigDecimal counter, BigDecimal journal) {
        if (counter.compareTo(journal) != 0) {
            drift.add(new AuditReport.Drift(key, start, field, Money.of(counter), Money.of(journal)));
        }
    }
}
