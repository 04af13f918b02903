package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The one definition of "applicable budgets" (docs/pools-and-config.md): for agent A, A's own live budgets, the
 * live budgets of every shared pool that lists A, and every live org budget. Admission, ingest
 * and every state read use this query, so they can never disagree about what applies.
 */
@ApplicationScoped
public class ApplicableBudgetStore {

    // One row per (agent, applicable budget). Org budgets join every requested agent. %s is where
    // the agent ids come from; its parameters come before the org's.
    private static final String APPLICABLE = """
            SELECT a.agent_id, b.id, b.scope, b.name, b.budget_type, b.period, b.limit_value, b.managed_by, b.timezone, b.model, b.provider
              FROM %s AS a(agent_id)
              JOIN budget b
                ON b.org_id = ? AND b.deleted_at IS NULL
               AND (b.scope = 'org'
                    OR (b.scope = 'agent' AND b.agent_id = a.agent_id)
                    OR (b.scope = 'shared' AND EXISTS (
                        SELECT 1 FROM pool_member m WHERE m.budget_id = b.id AND m.agent_id = a.agent_id)))
            """;
    private static final String FOR_AGENT_IDS = APPLICABLE.formatted("unnest(?::bigint[])");
    // An agent that does not exist yet reads as id -1, which no pool lists and no budget names:
    // the org's budgets alone apply to it.
    private static final String FOR_AGENT_NAMED = APPLICABLE.formatted(
            "(SELECT coalesce((SELECT id FROM agent WHERE org_id = ? AND name = ?), -1))");

    /** Presentation order: org first, then shared pools, then the agent's own; by period within each. */
    public static final Comparator<Budget> ORDER = Comparator.comparing(Budget::scope)
            .thenComparing(b -> b.key().name() == null ? "" : b.key().name())
            .thenComparing(Budget::period);

    @Inject
    AgroalDataSource dataSource;

    /** The applicable budgets of each of the given agents of {@code orgId}, in {@link #ORDER}. */
    public Map<Long, List<Budget>> forAgents(String orgId, Collection<Long> agentIds) {
        Map<Long, List<Budget>> result = new HashMap<>();
        for (Long agentId : agentIds) {
            result.put(agentId, new ArrayList<>());
        }
        if (!agentIds.isEmpty()) {
            result.putAll(query(FOR_AGENT_IDS, (connection, query) -> {
                query.setArray(1, Sql.longs(connection, agentIds));
                query.setString(2, orgId);
            }));
        }
        return result;
    }

    /**
     * The applicable budgets of the agent named {@code agentName} in {@code orgId}, in
     * {@link #ORDER}, in one query; for an agent that does not exist yet, the org's budgets.
     */
    public List<Budget> forAgentNamed(String orgId, String agentName) {
        Map<Long, List<Budget>> byAgent = query(FOR_AGENT_NAMED, (connection, query) -> {
            query.setString(1, orgId);
            query.setString(2, agentName);
            query.setString(3, orgId);
        });
        // Every row carries the one agent id the query resolved (or -1).
        return byAgent.isEmpty() ? new ArrayList<>() : byAgent.values().iterator().next();
    }

    private interface Parameters {
        void set(Connection connection, PreparedStatement query) throws SQLException;
    }

    /** Runs one of the applicable-budget queries: budgets by agent id, each list in {@link #ORDER}. */
    private Map<Long, List<Budget>> query(String sql, Parameters parameters) {
        Map<Long, List<Budget>> result = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            parameters.set(connection, query);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    result.computeIfAbsent(row.getLong("agent_id"), id -> new ArrayList<>()).add(budget(row));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not resolve applicable budgets", e);
        }
        result.values().forEach(budgets -> budgets.sort(ORDER));
        return result;
    }

    private static Budget budget(ResultSet row) throws SQLException {
        return new Budget(row.getObject("id", UUID.class), BudgetRows.key(row), row.getString("budget_type"),
                Money.of(row.getBigDecimal("limit_value")),
                BudgetOwner.fromWire(row.getString("managed_by")).orElse(null), BudgetRows.timezone(row));
    }
}
