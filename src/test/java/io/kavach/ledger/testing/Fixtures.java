package io.kavach.ledger.testing;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.security.ApiKeys;
import io.quarkus.arc.Arc;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Sets up orgs, API keys and budgets for tests with plain SQL on the application's datasource,
 * so spend-path tests do not depend on the management endpoints they are not about.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** Creates the org if needed and a live API key for it; returns the key. */
    public static String apiKey(String org) {
        String key = ApiKeys.generate("prod");
        execute("INSERT INTO org (id) VALUES (?) ON CONFLICT DO NOTHING", org);
        execute("INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash) VALUES (?, ?, 'test', 'prod', ?, ?)",
                UUID.randomUUID(), org, ApiKeys.visiblePrefix(key), ApiKeys.hash(key));
        return key;
    }

    public static UUID orgBudget(String org, String period, String limit) {
        UUID id = Ids.newId(Instant.now());
        execute("INSERT INTO org (id) VALUES (?) ON CONFLICT DO NOTHING", org);
        execute("INSERT INTO budget (id, org_id, scope, period, limit_value) VALUES (?, ?, 'org', ?, ?)",
                id, org, period, new BigDecimal(limit));
        return id;
    }

    public static UUID agentBudget(String org, String agent, String period, String limit) {
        long agentId = agent(org, agent);
        UUID id = Ids.newId(Instant.now());
        execute("INSERT INTO budget (id, org_id, scope, name, agent_id, period, limit_value) VALUES (?, ?, 'agent', ?, ?, ?, ?)",
                id, org, agent, agentId, period, new BigDecimal(limit));
        return id;
    }

    public static UUID pool(String org, String name, String period, String limit, String... agents) {
        UUID id = Ids.newId(Instant.now());
        execute("INSERT INTO org (id) VALUES (?) ON CONFLICT DO NOTHING", org);
        execute("INSERT INTO budget (id, org_id, scope, name, period, limit_value) VALUES (?, ?, 'shared', ?, ?, ?)",
                id, org, name, period, new BigDecimal(limit));
        for (String agent : agents) {
            execute("INSERT INTO pool_member (budget_id, agent_id) VALUES (?, ?)", id, agent(org, agent));
        }
        return id;
    }

    public static long agent(String org, String name) {
        execute("INSERT INTO org (id) VALUES (?) ON CONFLICT DO NOTHING", org);
        execute("INSERT INTO agent (org_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", org, name);
        return queryLong("SELECT id FROM agent WHERE org_id = ? AND name = ?", org, name);
    }

    /** Spent in the window of each live-or-deleted budget of that scope (and name) that contains {@code now}. */
    public static BigDecimal spentAt(String org, String scope, String name, java.time.Instant now) {
        return queryDecimal("SELECT coalesce(sum(w.spent), 0) FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                + "WHERE b.org_id = ? AND b.scope = ? AND (b.name = ?::text OR ?::text IS NULL) "
                + "AND w.window_start <= ?::timestamptz AND (w.window_end IS NULL OR w.window_end > ?::timestamptz)",
                org, scope, name, name, now.toString(), now.toString());
    }

    /** The body gzipped, as the SDK sends it. */
    public static byte[] gzip(String body) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(bytes)) {
            gzip.write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static long queryLong(String sql, Object... args) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = prepare(connection, sql, args);
             ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BigDecimal queryDecimal(String sql, Object... args) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = prepare(connection, sql, args);
             ResultSet row = statement.executeQuery()) {
            return row.next() ? row.getBigDecimal(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every row of a query, each as column label to value, in the query's order. */
    public static List<Map<String, Object>> queryRows(String sql, Object... args) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = prepare(connection, sql, args);
             ResultSet row = statement.executeQuery()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            int columns = row.getMetaData().getColumnCount();
            while (row.next()) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int c = 1; c <= columns; c++) {
                    values.put(row.getMetaData().getColumnLabel(c), row.getObject(c));
                }
                rows.add(values);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(String sql, Object... args) {
        try (Connection connection = dataSource().getConnection();
             PreparedStatement statement = prepare(connection, sql, args)) {
            statement.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            statement.setObject(i + 1, args[i]);
        }
        return statement;
    }

    private static AgroalDataSource dataSource() {
        return Arc.container().instance(AgroalDataSource.class).get();
    }
}
