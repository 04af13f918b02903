package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.Money;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
    private static final String FOR_AGENT_NAMES = APPLICABLE.formatted(
            "(SELECT id FROM agent WHERE org_id = ? AND name = ANY(?))");
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
            RoundTrip trip = new RoundTrip(dataSource);
            RoundTrip.Result<Map<Long, List<Budget>>> found = query(trip, FOR_AGENT_IDS, p -> {
                p.setArray(1, Sql.longs(p.connection(), agentIds));
                p.setString(2, orgId);
            });
            trip.run();
            result.putAll(found.get());
        }
        return result;
    }

    /**
     * The applicable budgets of each existing agent of {@code orgId} among {@code agentNames}, by
     * agent id, each in {@link #ORDER}; an agent to which nothing applies is absent.
     */
    public RoundTrip.Result<Map<Long, List<Budget>>> forAgentsNamed(RoundTrip trip, String orgId,
                                                                    Collection<String> agentNames) {
        return query(trip, FOR_AGENT_NAMES, p -> {
            p.setString(1, orgId);
            p.setArray(2, Sql.texts(p.connection(), agentNames));
            p.setString(3, orgId);
        });
    }

    /**
     * The applicable budgets of the agent named {@code agentName} in {@code orgId}, in
     * {@link #ORDER}, as one statement of {@code trip}; for an agent that does not exist yet, the
     * org's budgets.
     */
    public RoundTrip.Result<List<Budget>> forAgentNamed(RoundTrip trip, String orgId, String agentName) {
        return trip.query(FOR_AGENT_NAMED, p -> {
            p.setString(1, orgId);
            p.setString(2, agentName);
            p.setString(3, orgId);
        }, row -> {
            Map<Long, List<Budget>> byAgent = byAgent(row);
            // Every row carries the one agent id the query resolved (or -1).
            return byAgent.isEmpty() ? new ArrayList<>() : byAgent.values().iterator().next();
        });
    }

    /** One of the applicable-budget queries: budgets by agent id, each list in {@link #ORDER}. */
    private static RoundTrip.Result<Map<Long, List<Budget>>> query(RoundTrip trip, String sql, RoundTrip.Binder parameters) {
        return trip.query(sql, parameters, ApplicableBudgetStore::byAgent);
    }

    private static Map<Long, List<Budget>> byAgent(ResultSet row) throws SQLException {
        Map<Long, List<Budget>> result = new HashMap<>();
        while (row.next()) {
            result.computeIfAbsent(row.getLong("agent_id"), id -> new ArrayList<>()).add(budget(row));
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
