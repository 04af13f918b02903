package io.kavach.ledger.store;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;

/**
 * Reads a budget's identity and clock from a row of {@code budget} (columns scope, name, period,
 * budget_type, model, provider, timezone).
 */
final class BudgetRows {

    private BudgetRows() {
    }

    static BudgetKey key(ResultSet row) throws SQLException {
        Scope scope = Scope.fromWire(row.getString("scope")).orElseThrow();
        Period period = Period.fromWire(row.getString("period")).orElseThrow();
        BudgetType type = BudgetType.fromWire(row.getString("budget_type")).orElseThrow();
        return new BudgetKey(scope, scope == Scope.ORG ? null : row.getString("name"), period, type,
                row.getString("model"), row.getString("provider"));
    }

    /** Stored only after validation (ADR 0014), so it is read back as is. */
    static ZoneId timezone(ResultSet row) throws SQLException {
        return ZoneId.of(row.getString("timezone"));
    }
}
