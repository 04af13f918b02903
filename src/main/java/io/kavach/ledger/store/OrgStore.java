package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Orgs exist implicitly: the first write made with an org's credentials creates it. An org also
 * keeps the parts of its agentkavach.yaml the ledger does not enforce ({@code config_extras}).
 */
@ApplicationScoped
public class OrgStore {

    @Inject
    AgroalDataSource dataSource;

    public void ensure(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO org (id) VALUES (?) ON CONFLICT (id) DO NOTHING")) {
            insert.setString(1, orgId);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not create org", e);
        }
    }

    /** Locks the org's row until the transaction ends: writers of one org's bounded things queue here. */
    public void lock(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement lock = connection.prepareStatement("SELECT id FROM org WHERE id = ? FOR UPDATE")) {
            lock.setString(1, orgId);
            lock.executeQuery().close();
        } catch (SQLException e) {
            throw new StoreException("could not lock the org", e);
        }
    }

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
