package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.AgentPause;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Listing an org's agents page by page (with their pause), and what the SDK last reported for an agent (sdk_config). */
@ApplicationScoped
public class AgentDirectoryStore {

    // Names are ASCII, so the "C" collation orders them exactly as Java's String.compareTo does,
    // which keeps the starting_after cursor stable whatever the database's default collation is.
    private static final String PAGE = """
            SELECT id, name, sdk_config::text AS sdk_config, paused_at, paused_reason, paused_until FROM agent
             WHERE org_id = ? AND (?::text IS NULL OR name COLLATE "C" > ?::text COLLATE "C")
             ORDER BY name COLLATE "C"
             LIMIT ?
            """;
    private static final String SDK_CONFIG = "SELECT sdk_config::text AS sdk_config FROM agent WHERE id = ?";
    private static final String SET_SDK_CONFIG = "UPDATE agent SET sdk_config = ?::jsonb WHERE id = ?";

    @Inject
    AgroalDataSource dataSource;

    /**
     * An agent row as listings show it; {@code sdkConfigJson} is null when the SDK never synced,
     * {@code pause} when the agent is not paused.
     */
    public record AgentRow(long id, String name, String sdkConfigJson, AgentPause pause) {
    }

    /** Up to {@code limit} agents whose names sort after {@code startingAfter} (null: from the first). */
    public List<AgentRow> page(String orgId, String startingAfter, int limit) {
        List<AgentRow> agents = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(PAGE)) {
            query.setString(1, orgId);
            query.setString(2, startingAfter);
            query.setString(3, startingAfter);
            query.setInt(4, limit);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    agents.add(new AgentRow(row.getLong("id"), row.getString("name"), row.getString("sdk_config"),
                            AgentStore.pause(row)));
                }
            }
        } catch (SQLException e) {
            throw new StoreException("could not list agents", e);
        }
        return agents;
    }

    public String sdkConfig(long agentId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(SDK_CONFIG)) {
            query.setLong(1, agentId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString("sdk_config") : null;
            }
        } catch (SQLException e) {
            throw new StoreException("could not read sdk config", e);
        }
    }

    public void setSdkConfig(long agentId, String json) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(SET_SDK_CONFIG)) {
            update.setString(1, json);
            update.setLong(2, agentId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store sdk config", e);
        }
    }
}
