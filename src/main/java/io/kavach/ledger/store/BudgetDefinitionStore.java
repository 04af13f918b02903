package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Budget definitions and pool membership, read and written as sets (config apply, pools, an
 * agent's own budgets). Runs inside the caller's transaction; counters are not touched here
 * (limits reach the windows through {@link WindowLimits}).
 Over 300 lines because it is the one writer of
 * {@code budget} and {@code pool_member} (ADR 0012): every definition change goes through here.
 */
@ApplicationScoped
public class BudgetDefinitionStore {

    private static final String LIVE = """
            SELECT id, scope, name, agent_id, budget_type, period, limit_value, managed_by, timezone, model, provider
              FROM budget WHERE org_id = ? AND deleted_at IS NULL
            """;
    private static final String MEMBERS = """
            SELECT m.budget_id, a.name
              FROM pool_member m
              JOIN agent a ON a.id = m.agent_id
             WHERE m.budget_id = ANY(?)
             ORDER BY a.name COLLATE "C"
            """;
    private static final String INSERT = """
            INSERT INTO budget (id, org_id, scope, name, agent_id, budget_type, period, limit_value, created_at, updated_at,
                                managed_by, timezone, model, provider)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    // The most recently removed budget of the key, brought back with its id, so its windows (and
    // their counters) continue: removing and re-adding a budget cannot reset its spend (ADR 0008).
    private static final String REVIVE = """
            UPDATE budget SET deleted_at = NULL, limit_value = ?, updated_at = ?, managed_by = ?, timezone = ?
             WHERE id = (SELECT id FROM budget
                          WHERE org_id = ? AND scope = ? AND period = ? AND name IS NOT DISTINCT FROM ?
                            AND budget_type = ? AND model IS NOT DISTINCT FROM ? AND provider IS NOT DISTINCT FROM ?
                            AND deleted_at IS NOT NULL
                          ORDER BY deleted_at DESC, id DESC LIMIT 1)
            RETURNING id
            """;
    private static final String UPDATE_LIMIT =
            "UPDATE budget SET limit_value = ?, updated_at = ?, managed_by = ? WHERE id = ? AND deleted_at IS NULL";
    private static final String SET_TIMEZONE =
            "UPDATE budget SET timezone = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL";
    private static final String SET_OWNER =
            "UPDATE budget SET managed_by = ?, updated_at = ? WHERE id = ANY(?) AND deleted_at IS NULL";
    private static final String SOFT_DELETE =
            "UPDATE budget SET deleted_at = ?, updated_at = ? WHERE id = ANY(?) AND deleted_at IS NULL";
    private static final String LOCK_ORG = "SELECT id FROM org WHERE id = ? FOR UPDATE";
    // Exclusive while this transaction changes the org's budget definitions; every ledger batch
    // holds the same key shared (LedgerStore#shareBudgetDefinitions) while it reads what applies
    // and creates windows, so a limit change or a new budget is never half-seen by a spend.
    private static final String LOCK_DEFINITIONS = "SELECT pg_advisory_xact_lock(" + LedgerStore.DEFINITIONS_LOCK_KEY + ")";
    private static final String COUNT_MEMBERS = "SELECT count(*) FROM pool_member WHERE budget_id = ?";
    private static final String COUNT_LIVE_POOLS =
            "SELECT count(*) FROM budget WHERE org_id = ? AND scope = 'shared' AND deleted_at IS NULL";
    private static final String AGENTS_IN_MORE_POOLS = """
            SELECT a.name
              FROM pool_member m
              JOIN budget b ON b.id = m.budget_id AND b.deleted_at IS NULL
              JOIN agent a ON a.id = m.agent_id
             WHERE m.agent_id = ANY(?)
             GROUP BY a.name
            HAVING count(*) > ?
             ORDER BY a.name
             LIMIT 5
            """;
    private static final String REMOVE_OTHER_MEMBERS =
            "DELETE FROM pool_member WHERE budget_id = ? AND NOT (agent_id = ANY(?))";
    private static final String ADD_MEMBERS = """
            INSERT INTO pool_member (budget_id, agent_id)
            SELECT ?, agent_id FROM unnest(?::bigint[]) AS agent_id ORDER BY agent_id
            ON CONFLICT DO NOTHING
            """;
    private static final String REMOVE_MEMBER = """
            DELETE FROM pool_member WHERE budget_id = ?
               AND agent_id = (SELECT id FROM agent WHERE org_id = ? AND name = ?)
            """;

    @Inject
    AgroalDataSource dataSource;

    /** A live budget definition with, for a shared pool, its members' names (sorted), and its owner. */
    public record Definition(UUID id, BudgetKey key, Long agentId, Money limit, List<String> members,
                             BudgetOwner owner, ZoneId timezone) {
    }

    /** A created budget: its id, and whether it is a removed budget of the same key brought back. */
    public record Created(UUID id, boolean revived) {
    }

    /**
     * Serialises budget-configuration writers of one org (config apply, pools, agent budgets,
     * sync): they take the org's budget-definitions lock exclusively (ledger batches hold it
     * shared, ADR 0008), then the org row, then budget rows, then windows in ascending id order.
     */
    public void lockOrg(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement lock = connection.prepareStatement(LOCK_ORG);
             PreparedStatement definitions = connection.prepareStatement(LOCK_DEFINITIONS)) {
            // The definitions lock first, as ledger batches take it first: a batch holding it shared
            // may need the org row (an agent insert's foreign key check), so the row comes after.
            definitions.setString(1, orgId);
            definitions.executeQuery().close();
            lock.setString(1, orgId);
            lock.executeQuery().close();
        } catch (SQLException e) {
            throw new StoreException("could not lock the org", e);
        }
    }

    /** Every live budget of the org, with pool members. */
    public List<Definition> live(String orgId) {
        return live(orgId, null);
    }

    /** The live budgets of one scope (all scopes when {@code scope} is null), with pool members. */
    public List<Definition> live(String orgId, Scope scope) {
        return live(orgId, scope, null);
    }

    private List<Definition> live(String orgId, Scope scope, String name) {
        List<Row> rows = new ArrayList<>();
        String sql = LIVE + (scope == null ? "" : " AND scope = ?") + (name == null ? "" : " AND name = ?");
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                int index = 1;
                query.setString(index++, orgId);
                if (scope != null) {
                    query.setString(index++, scope.wireName());
                }
                if (name != null) {
                    query.setString(index, name);
                }
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        long agentIdValue = row.getLong("agent_id");
                        Long agentId = row.wasNull() ? null : agentIdValue;
                        rows.add(new Row(row.getObject("id", UUID.class), BudgetRows.key(row), agentId,
                                Money.of(row.getBigDecimal("limit_value")),
                                BudgetOwner.fromWire(row.getString("managed_by")).orElseThrow(),
                                BudgetRows.timezone(row)));
                    }
                }
            }
            List<UUID> poolIds = rows.stream().filter(r -> r.key.scope() == Scope.SHARED).map(Row::id).toList();
            Map<UUID, List<String>> members = members(connection, poolIds);
            List<Definition> definitions = new ArrayList<>(rows.size());
            for (Row r : rows) {
                definitions.add(new Definition(r.id, r.key, r.agentId, r.limit,
                        r.key.scope() == Scope.SHARED ? members.getOrDefault(r.id, List.of()) : null, r.owner,
                        r.timezone));
            }
            return definitions;
        } catch (SQLException e) {
            throw new StoreException("could not read budget definitions", e);
        }
    }

    /** One agent's own live budgets. */
    public List<Definition> liveOwn(String orgId, String agentName) {
        return live(orgId, Scope.AGENT, agentName);
    }

    /** The live pool of that name, if any. */
    public Optional<Definition> livePool(String orgId, String poolName) {
        return live(orgId, Scope.SHARED, poolName).stream().findFirst();
    }

    /**
     * Creates the budget, or brings back the most recently removed budget of the same key (same
     * id, so its windows continue). The caller sets a revived pool's members and applies the limit
     * to a revived budget's open windows.
     */
    public Created create(String orgId, BudgetKey key, Long agentId, Money limit, ZoneId timezone, BudgetOwner owner,
                          UUID id, Instant now) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement revive = connection.prepareStatement(REVIVE)) {
                revive.setBigDecimal(1, limit.value());
                Sql.setInstant(revive, 2, now);
                revive.setString(3, owner.wireName());
                revive.setString(4, timezone.getId());
                revive.setString(5, orgId);
                revive.setString(6, key.scope().wireName());
                revive.setString(7, key.period().wireName());
                revive.setString(8, key.name());
                revive.setString(9, key.type().wireName());
                revive.setString(10, key.model());
                revive.setString(11, key.provider());
                try (ResultSet row = revive.executeQuery()) {
                    if (row.next()) {
                        return new Created(row.getObject(1, UUID.class), true);
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setObject(1, id);
                insert.setString(2, orgId);
                insert.setString(3, key.scope().wireName());
                insert.setString(4, key.name());
                if (agentId == null) {
                    insert.setNull(5, Types.BIGINT);
                } else {
                    insert.setLong(5, agentId);
                }
                insert.setString(6, key.type().wireName());
                insert.setString(7, key.period().wireName());
                insert.setBigDecimal(8, limit.value());
                Sql.setInstant(insert, 9, now);
                Sql.setInstant(insert, 10, now);
                insert.setString(11, owner.wireName());
                insert.setString(12, timezone.getId());
                insert.setString(13, key.model());
                insert.setString(14, key.provider());
                insert.executeUpdate();
                return new Created(id, false);
            }
        } catch (SQLException e) {
            throw new StoreException("could not create budget " + key, e);
        }
    }

    /**
     * Moves the budget to another zone's clock; the caller opens its window on the new clock
     * (ADR 0014). The windows of the old clock stay as they are.
     */
    public void setTimezone(UUID id, ZoneId timezone, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(SET_TIMEZONE)) {
            update.setString(1, timezone.getId());
            Sql.setInstant(update, 2, now);
            update.setObject(3, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not set budget time zone", e);
        }
    }

    /** Makes {@code owner} the owner of the budgets (an adopt, or a change by another writer). */
    public void setOwner(Collection<UUID> ids, BudgetOwner owner, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(SET_OWNER)) {
            update.setString(1, owner.wireName());
            Sql.setInstant(update, 2, now);
            update.setArray(3, Sql.uuids(connection, ids));
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not set budget owner", e);
        }
    }

    /** Sets the definition's limit; the caller applies it to the open windows with {@link WindowLimits}. */
    public void updateLimit(UUID id, Money limit, BudgetOwner owner, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(UPDATE_LIMIT)) {
            update.setBigDecimal(1, limit.value());
            Sql.setInstant(update, 2, now);
            update.setString(3, owner.wireName());
            update.setObject(4, id);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not update budget limit", e);
        }
    }

    /** Stops enforcing the budgets; their windows (and pool memberships) stay as history. */
    public void softDelete(Collection<UUID> ids, Instant now) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(SOFT_DELETE)) {
            Sql.setInstant(delete, 1, now);
            Sql.setInstant(delete, 2, now);
            delete.setArray(3, Sql.uuids(connection, ids));
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not delete budgets", e);
        }
    }

    /** Makes the pool's members exactly {@code agentIds}. */
    public void replaceMembers(UUID poolId, Collection<Long> agentIds) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement remove = connection.prepareStatement(REMOVE_OTHER_MEMBERS)) {
            remove.setObject(1, poolId);
            remove.setArray(2, Sql.longs(connection, agentIds));
            remove.executeUpdate();
            addMembers(connection, poolId, agentIds);
        } catch (SQLException e) {
            throw new StoreException("could not replace pool members", e);
        }
    }

    public void addMembers(UUID poolId, Collection<Long> agentIds) {
        try (Connection connection = dataSource.getConnection()) {
            addMembers(connection, poolId, agentIds);
        } catch (SQLException e) {
            throw new StoreException("could not add pool members", e);
        }
    }

    public void removeMember(String orgId, UUID poolId, String agentName) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement remove = connection.prepareStatement(REMOVE_MEMBER)) {
            remove.setObject(1, poolId);
            remove.setString(2, orgId);
            remove.setString(3, agentName);
            remove.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not remove pool member", e);
        }
    }

    public long memberCount(UUID poolId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(COUNT_MEMBERS)) {
            count.setObject(1, poolId);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count pool members", e);
        }
    }

    /** How many live pools the org has. */
    public long livePoolCount(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(COUNT_LIVE_POOLS)) {
            count.setString(1, orgId);
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count pools", e);
        }
    }

    /** The names of those of {@code agentIds} that are members of more than {@code max} live pools (a few at most). */
    public List<String> agentsInMorePoolsThan(Collection<Long> agentIds, int max) {
        List<String> names = new ArrayList<>();
        if (agentIds.isEmpty()) {
            return names;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(AGENTS_IN_MORE_POOLS)) {
            query.setArray(1, Sql.longs(connection, agentIds));
            query.setInt(2, max);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    names.add(row.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not count pools per agent", e);
        }
        return names;
    }

    private static void addMembers(Connection connection, UUID poolId, Collection<Long> agentIds) throws SQLException {
        if (agentIds.isEmpty()) {
            return;
        }
        try (PreparedStatement add = connection.prepareStatement(ADD_MEMBERS)) {
            add.setObject(1, poolId);
            add.setArray(2, Sql.longs(connection, new TreeSet<>(agentIds)));
            add.executeUpdate();
        }
    }

    private static Map<UUID, List<String>> members(Connection connection, List<UUID> poolIds) throws SQLException {
        Map<UUID, List<String>> members = new HashMap<>();
        if (poolIds.isEmpty()) {
            return members;
        }
        try (PreparedStatement query = connection.prepareStatement(MEMBERS)) {
            query.setArray(1, Sql.uuids(connection, poolIds));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    members.computeIfAbsent(row.getObject("budget_id", UUID.class), id -> new ArrayList<>())
                            .add(row.getString("name"));
                }
            }
        }
        return members;
    }

    private record Row(UUID id, BudgetKey key, Long agentId, Money limit, BudgetOwner owner, ZoneId timezone) {
    }
}
