package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.ledger.OrgLimit;
import io.kavach.ledger.ledger.OrgLimitReached;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Agents are created implicitly the first time a name is used. Lookups come first (the common
 * case costs one indexed read); missing names are inserted in sorted order so two transactions
 * creating the same agents never wait on each other in opposite orders.
 */
@ApplicationScoped
public class AgentStore {

    private static final String FIND = "SELECT id, name FROM agent WHERE org_id = ? AND name = ANY(?)";
    private static final String COUNT = "SELECT count(*) FROM agent WHERE org_id = ?";
    private static final String INSERT_MISSING = """
            INSERT INTO agent (org_id, name)
            SELECT ?, name FROM unnest(?::text[]) AS name ORDER BY name
            ON CONFLICT (org_id, name) DO NOTHING
            """;

    @Inject
    AgroalDataSource dataSource;

    /**
     * The ids of the named agents of {@code orgId}, creating those that do not exist yet; refuses
     * ({@link OrgLimitReached}) when the org would then have more than {@code agentsMax} agents.
     * Exact when the caller holds the org lock (configuration writers).
     */
    public Map<String, Long> ensure(String orgId, Collection<String> names, int agentsMax) {
        Map<String, Long> ids = ensureWithin(orgId, names, agentsMax);
        if (ids.size() < new TreeSet<>(names).size()) {
            throw limitReached(agentsMax);
        }
        return ids;
    }

    /**
     * As {@link #ensure}, but when the missing names do not fit under {@code agentsMax} none of
     * them is created and they are simply absent from the result (the spend path refuses the
     * commands that need them, alone). Without the org lock two transactions may both fit, so the
     * cap can be passed by at most the names of the batches creating agents at that moment.
     */
    public Map<String, Long> ensureWithin(String orgId, Collection<String> names, int agentsMax) {
        if (names.isEmpty()) {
            return Map.of();
        }
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Long> ids = find(connection, orgId, names);
            if (ids.size() < new TreeSet<>(names).size()) {
                TreeSet<String> missing = new TreeSet<>(names);
                missing.removeAll(ids.keySet());
                if (count(connection, orgId) + missing.size() > agentsMax) {
                    return ids;
                }
                try (PreparedStatement insert = connection.prepareStatement(INSERT_MISSING)) {
                    insert.setString(1, orgId);
                    insert.setArray(2, Sql.texts(connection, missing));
                    insert.executeUpdate();
                }
                ids = find(connection, orgId, names);
            }
            return ids;
        } catch (SQLException e) {
            throw new StoreException("could not resolve agents", e);
        }
    }

    public static OrgLimitReached limitReached(int agentsMax) {
        return new OrgLimitReached(OrgLimit.AGENTS, agentsMax,
                "An org may have at most " + agentsMax + " agents; this request names new ones beyond that");
    }

    private static long count(Connection connection, String orgId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(COUNT)) {
            query.setString(1, orgId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static Map<String, Long> find(Connection connection, String orgId, Collection<String> names)
            throws SQLException {
        Map<String, Long> ids = new HashMap<>();
        try (PreparedStatement query = connection.prepareStatement(FIND)) {
            query.setString(1, orgId);
            query.setArray(2, Sql.texts(connection, names));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    ids.put(row.getString("name"), row.getLong("id"));
                }
            }
        }
        return ids;
    }
}
