package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The parts of an org's agentkavach.yaml the ledger keeps but does not enforce (org.config_extras). */
@ApplicationScoped
public class OrgConfigStore {

    @Inject
    AgroalDataSource dataSource;

    /** The stored extras as JSON text; {@code {}} for an org that never imported a file (or does not exist). */
    public String extras(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT config_extras::text AS extras FROM org WHERE id = ?")) {
            query.setString(1, orgId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString("extras") : "{}";
            }
        } catch (SQLException e) {
            throw new StoreException("could not read config extras", e);
        }
    }

    public void setExtras(String orgId, String json) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE org SET config_extras = ?::jsonb WHERE id = ?")) {
            update.setString(1, json);
            update.setString(2, orgId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store config extras", e);
        }
    }
}
