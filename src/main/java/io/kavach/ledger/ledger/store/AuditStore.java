package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.ledger.AuditReport;
import io.kavach.ledger.ledger.BudgetKey;
import io.kavach.ledger.ledger.Money;
import io.kavach.ledger.ledger.Period;
import io.kavach.ledger.ledger.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
                SELECT w AS window_id, sum(e.cost) AS spent
                  FROM spend_event e, unnest(e.window_ids) AS w
                 WHERE e.org_id = ?
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

    public AuditReport audit(String orgId) {
        int checked = 0;
        List<AuditReport.Drift> drift = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(AUDIT)) {
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
        } catch (SQLException e) {
            throw new StoreException("audit failed", e);
        }
        return new AuditReport(checked, drift);
    }

    private static void compare(List<AuditReport.Drift> drift, BudgetKey key, Instant start, String field,
                                java.math.BigDecimal counter, java.math.BigDecimal journal) {
        if (counter.compareTo(journal) != 0) {
            drift.add(new AuditReport.Drift(key, start, field, Money.of(counter), Money.of(journal)));
        }
    }
}
