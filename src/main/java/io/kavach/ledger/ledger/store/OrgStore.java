package io.kavach.ledger.ledger.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Orgs exist implicitly: the first write made with an org's credentials creates it. */
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
}
