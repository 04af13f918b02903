package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Money;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Applies a budget's new limit to its open windows. The windows are locked in ascending id
 * order first (the ledger's one lock order), so a limit change and an admission never race.
 */
@ApplicationScoped
public class WindowLimits {

    private static final String UPDATE_OPEN = """
            UPDATE budget_window SET limit_value = ?
             WHERE budget_id = ? AND (window_end IS NULL OR window_end > ?)
            """;

    private static final String LOCK_OPEN_MANY = """
            SELECT id FROM budget_window
             WHERE budget_id = ANY(?) AND (window_end IS NULL OR window_end > ?)
             ORDER BY id FOR UPDATE
            """;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Applies new limits to several budgets at once. All their open windows are locked in one
     * statement, in ascending id order, before any is changed: locking budget by budget would
     * take window locks out of the ledger's global order and could deadlock with a spend.
     */
    public void applyLimits(Map<UUID, Money> limits, Instant now) {
        if (limits.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement lock = connection.prepareStatement(LOCK_OPEN_MANY);
             PreparedStatement update = connection.prepareStatement(UPDATE_OPEN)) {
            lock.setArray(1, Sql.uuids(connection, limits.keySet()));
            Sql.setInstant(lock, 2, now);
            lock.executeQuery().close();
            for (Map.Entry<UUID, Money> entry : limits.entrySet()) {
                update.setBigDecimal(1, entry.getValue().value());
                update.setObject(2, entry.getKey());
                Sql.setInstant(update, 3, now);
                update.addBatch();
            }
            update.executeBatch();
        } catch (SQLException e) {
            throw new StoreException("could not apply the new limits", e);
        }
    }
}
