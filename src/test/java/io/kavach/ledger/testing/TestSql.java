package io.kavach.ledger.testing;

import io.kavach.ledger.security.ApiKeys;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/** Direct SQL for tests: SDK keys without the API-key endpoint, simulated spend, raw counters. */
public final class TestSql {

    private TestSql() {
    }

    /** Creates a live API key of {@code org} (and the org) and returns the full key. */
    public static String sdkKey(DataSource dataSource, String org) {
        String key = ApiKeys.generate("dev");
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO org (id) VALUES (?) ON CONFLICT (id) DO NOTHING")) {
                insert.setString(1, org);
                insert.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) VALUES (?, ?, 'test', 'dev', ?, ?)")) {
                insert.setObject(1, UUID.randomUUID());
                insert.setString(2, org);
                insert.setString(3, ApiKeys.visiblePrefix(key));
                insert.setBytes(4, ApiKeys.hash(key));
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return key;
    }

    /** Simulates spend: sets the counters of the budget's window at {@code windowStart}, creating it if needed. */
    public static void setCounters(DataSource dataSource, String budgetId, String windowStart, String windowEnd,
                                   String spent, String reserved) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement("""
                     INSERT INTO budget_window (budget_id, window_start, window_end, limit_value, spent, reserved)
                     SELECT b.id, ?::timestamptz, ?::timestamptz, b.limit_value, ?::numeric, ?::numeric
                       FROM budget b WHERE b.id = ?::uuid
                     ON CONFLICT (budget_id, window_start) DO UPDATE SET spent = EXCLUDED.spent, reserved = EXCLUDED.reserved
                     """)) {
            upsert.setString(1, windowStart);
            upsert.setString(2, windowEnd);
            upsert.setString(3, spent);
            upsert.setString(4, reserved);
            upsert.setString(5, budgetId);
            if (upsert.executeUpdate() != 1) {
                throw new IllegalStateException("no budget " + budgetId);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The window's {@code column} (spent, reserved, limit_value) of a budget at {@code windowStart}. */
    public static BigDecimal windowValue(DataSource dataSource, String budgetId, String windowStart, String column) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT " + column + " FROM budget_window WHERE budget_id = ?::uuid AND window_start = ?::timestamptz")) {
            query.setString(1, budgetId);
            query.setString(2, windowStart);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getBigDecimal(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many budget rows (live and deleted) the org has: proof that nothing was written. */
    public static long budgetRows(DataSource dataSource, String org) {
        return count(dataSource, "SELECT count(*) FROM budget WHERE org_id = ?", org);
    }

    public static long agentRows(DataSource dataSource, String org) {
        return count(dataSource, "SELECT count(*) FROM agent WHERE org_id = ?", org);
    }

    private static long count(DataSource dataSource, String sql, String org) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, org);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
