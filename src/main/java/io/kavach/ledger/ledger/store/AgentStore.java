package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
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
    private static final String INSERT_MISSING = """
            INSERT INTO agent (org_id, name)
            SELECT ?, name FROM unnest(?::text[]) AS name ORDER BY name
            ON CONFLICT (org_id, name) DO NOTHING
            """;

    @Inject
    AgroalDataSource dataSource;

    /** The ids of the named agents of {@code orgId}, creating those that do not exist yet. */
    public Map<String, Long> ensure(String orgId, Collection<String> names) {
        if (names.isEmpty()) {
            return Map.of();
        }
        try (Connection connection = dataSource.getConnection()) {
            Map<String, Long> ids = find(connection, orgId, names);
            if (ids.size() < new TreeSet<>(names).size()) {
                TreeSet<String> missing = new TreeSet<>(names);
                missing.removeAll(ids.keySet());
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
