package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.DefaultBudget;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The org's default budgets (ADR 0015): the template, written by budget-definition writers, and
 * its application to agents, run by ledger batches on the agents they spend for.
 */
@ApplicationScoped
public class DefaultBudgetStore {

    private static final String LIST = """
            SELECT budget_type, period, limit_value, timezone FROM default_budget
             WHERE org_id = ? ORDER BY budget_type, period
            """;
    private static final String CLEAR = "DELETE FROM default_budget WHERE org_id = ?";
    private static final String INSERT = """
            INSERT INTO default_budget (org_id, budget_type, period, limit_value, timezone, updated_at)
            SELECT ?, t.budget_type, t.period, t.limit_value, t.timezone, ?
              FROM unnest(?::text[], ?::text[], ?::numeric[], ?::text[]) AS t(budget_type, period, limit_value, timezone)
            """;
    // Each default the agent never had an unfiltered own budget of (live or removed: the template
    // fills gaps, it does not undo a removal), inserted in (agent, type, period) order. A
    // concurrent batch inserting the same budget meets the live-budget unique index: this one
    // waits for it and then inserts nothing, so each is made exactly once. The agents are those
    // named by the first array (they spend for sure) and those of the (name, idempotency key)
    // pairs whose key the org has not used yet: a reservation under a used key is a replay, which
    // spends nothing and so changes nothing.
    private static final String APPLY = """
            INSERT INTO budget (id, org_id, scope, name, agent_id, budget_type, period, limit_value, timezone,
                                managed_by, created_at, updated_at)
            SELECT gen_random_uuid(), d.org_id, 'agent', a.name, a.id, d.budget_type, d.period, d.limit_value,
                   d.timezone, 'default', ?, ?
              FROM default_budget d
              JOIN agent a ON a.org_id = d.org_id
               AND (a.name = ANY(?) OR a.name IN (
                    SELECT k.name FROM unnest(?::text[], ?::text[]) AS k(name, key)
                     WHERE NOT EXISTS (SELECT 1 FROM reservation r WHERE r.org_id = d.org_id AND r.idempotency_key = k.key)))
             WHERE d.org_id = ?
               AND NOT EXISTS (SELECT 1 FROM budget b
                                WHERE b.agent_id = a.id AND b.scope = 'agent' AND b.budget_type = d.budget_type
                                  AND b.period = d.period AND b.model IS NULL AND b.provider IS NULL)
             ORDER BY a.id, d.budget_type, d.period
            ON CONFLICT DO NOTHING
            """;

    @Inject
    AgroalDataSource dataSource;

    public List<DefaultBudget> list(String orgId) {
        List<DefaultBudget> defaults = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(LIST)) {
            query.setString(1, orgId);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    defaults.add(new DefaultBudget(BudgetType.fromWire(row.getString("budget_type")).orElseThrow(),
                            Period.fromWire(row.getString("period")).orElseThrow(),
                            Money.of(row.getBigDecimal("limit_value")), ZoneId.of(row.getString("timezone"))));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not read default budgets", e);
        }
        return defaults;
    }

    /** Makes the org's template exactly {@code defaults}; the caller holds the budget-writer lock. */
    public void replace(String orgId, Collection<DefaultBudget> defaults, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement clear = connection.prepareStatement(CLEAR);
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            clear.setString(1, orgId);
            clear.executeUpdate();
            if (defaults.isEmpty()) {
                return;
            }
            insert.setString(1, orgId);
            Sql.setInstant(insert, 2, now);
            insert.setArray(3, Sql.texts(connection, defaults.stream().map(d -> d.type().wireName()).toList()));
            insert.setArray(4, Sql.texts(connection, defaults.stream().map(d -> d.period().wireName()).toList()));
            insert.setArray(5, Sql.decimals(connection, defaults.stream().map(d -> d.limit().value()).toList()));
            insert.setArray(6, Sql.texts(connection, defaults.stream().map(d -> d.timezone().getId()).toList()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not set default budgets", e);
        }
    }

    /**
     * Gives the existing agents of {@code orgId} that spend in this batch the org's default budgets
     * they lack, in the ledger batch's transaction, before what applies to them is read:
     * {@code spending} are agent names whose commands spend for sure; {@code keyed} maps agent names
     * to the idempotency keys of their reservations, which spend unless the key was used before.
     * An org without a template costs an index probe that finds nothing.
     */
    public void applyTo(RoundTrip trip, String orgId, Collection<String> spending, List<Map.Entry<String, String>> keyed,
                        Instant now) {
        if (spending.isEmpty() && keyed.isEmpty()) {
            return;
        }
        trip.update(APPLY, p -> {
            p.setInstant(1, now);
            p.setInstant(2, now);
            p.setArray(3, Sql.texts(p.connection(), spending));
            p.setArray(4, Sql.texts(p.connection(), keyed.stream().map(Map.Entry::getKey).toList()));
            p.setArray(5, Sql.texts(p.connection(), keyed.stream().map(Map.Entry::getValue).toList()));
            p.setString(6, orgId);
        });
    }
}
