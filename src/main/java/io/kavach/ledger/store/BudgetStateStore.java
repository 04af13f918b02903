package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads budget state from the window counters (never by summing events), so a read costs one
 * indexed lookup per budget however much was spent. A window not yet created reads as empty;
 * reads never write.
 */
@ApplicationScoped
public class BudgetStateStore {

    private static final String CURRENT_COUNTERS = """
            SELECT w.budget_id, w.limit_value, w.spent, w.reserved
              FROM unnest(?::uuid[], ?::text[]) AS wanted(budget_id, window_start)
              JOIN budget_window w
                ON w.budget_id = wanted.budget_id AND w.window_start = wanted.window_start::timestamptz
            """;

    @Inject
    AgroalDataSource dataSource;

    /** The state of each budget in its window at {@code now}, in the order given. */
    public List<BudgetState> currentStates(List<Budget> budgets, Instant now) {
        if (budgets.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>(budgets.size());
        List<Instant> starts = new ArrayList<>(budgets.size());
        for (Budget budget : budgets) {
            ids.add(budget.id());
            starts.add(budget.windowAt(now).start());
        }
        Map<UUID, Counters> counters = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(CURRENT_COUNTERS)) {
            query.setArray(1, Sql.uuids(connection, ids));
            query.setArray(2, Sql.instants(connection, starts));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    counters.put(row.getObject("budget_id", UUID.class), new Counters(
                            Money.of(row.getBigDecimal("limit_value")),
                            Money.of(row.getBigDecimal("spent")),
                            Money.of(row.getBigDecimal("reserved"))));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not read budget state", e);
        }
        List<BudgetState> states = new ArrayList<>(budgets.size());
        for (Budget budget : budgets) {
            Window window = budget.windowAt(now);
            Counters c = counters.get(budget.id());
            states.add(c == null
                    ? budget.emptyState(window)
                    : new BudgetState(budget.id(), budget.key(), budget.budgetType(), c.limit, c.spent, c.reserved, window,
                            budget.managedBy(), budget.timezone()));
        }
        return states;
    }

    private record Counters(Money limit, Money spent, Money reserved) {
    }
}
