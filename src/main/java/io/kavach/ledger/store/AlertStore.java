package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.AlertEvent;
import io.kavach.ledger.core.AlertEvent.Attempt;
import io.kavach.ledger.core.AlertRule;
import io.kavach.ledger.core.AlertRule.Channel;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The PostgreSQL side of alerts: rules, the outbox of fired alerts, and delivery attempts; the
 * one reader and writer of {@code alert_rule}, {@code alert_event} and {@code alert_attempt}.
 * Over 300 lines because its statements are the three tables' whole life (rules, firing in the
 * booking transaction, claiming, recording and listing) and share their row readers.
 */
@ApplicationScoped
public class AlertStore {

    private static final String RULE_COLUMNS =
            "id, org_id, scope, name, period, threshold, channel, target, secret, action, source, created_at";
    private static final String INSERT_RULE = """
            INSERT INTO alert_rule (id, org_id, scope, name, period, threshold, channel, target, secret, action, source, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String LIVE_RULES = "SELECT " + RULE_COLUMNS
            + " FROM alert_rule WHERE org_id = ? AND deleted_at IS NULL ORDER BY created_at, id";
    private static final String LIVE_RULE_COUNT = "SELECT count(*) FROM alert_rule WHERE org_id = ? AND deleted_at IS NULL";
    private static final String DELETE_RULE =
            "UPDATE alert_rule SET deleted_at = ? WHERE id = ? AND org_id = ? AND deleted_at IS NULL";
    // The rules of every live budget, for the in-memory index the spend path consults.
    private static final String RULE_INDEX = """
            SELECT r.id, b.id AS budget_id, r.threshold
              FROM alert_rule r
              JOIN budget b ON b.org_id = r.org_id AND b.scope = r.scope AND b.period = r.period
                           AND b.name IS NOT DISTINCT FROM r.name AND b.deleted_at IS NULL
                           -- A rule's key names a cost budget without filters (ADR 0015).
                           AND b.budget_type = 'cost' AND b.model IS NULL AND b.provider IS NULL
             WHERE r.deleted_at IS NULL
            """;
    // One statement per ledger batch that crossed a threshold. A deleted rule fires nothing; the
    // unique (rule_id, window_id) makes a second firing of a pair a no-op, across instances.
    private static final String FIRE = """
            INSERT INTO alert_event (id, org_id, rule_id, window_id, budget_id, budget_key, threshold, limit_value,
                                     spent, reserved, window_start, window_end, fired_at, next_attempt_at)
            SELECT t.id, r.org_id, t.rule_id, t.window_id, t.budget_id, t.budget_key, r.threshold, t.limit_value,
                   t.spent, t.reserved, t.window_start::timestamptz, t.window_end::timestamptz, ?, ?
              FROM unnest(?::uuid[], ?::uuid[], ?::bigint[], ?::uuid[], ?::text[], ?::numeric[], ?::numeric[],
                          ?::numeric[], ?::text[], ?::text[])
                   AS t(id, rule_id, window_id, budget_id, budget_key, limit_value, spent, reserved, window_start, window_end)
              JOIN alert_rule r ON r.id = t.rule_id AND r.deleted_at IS NULL
             ORDER BY t.rule_id, t.window_id
            ON CONFLICT (rule_id, window_id) DO NOTHING
            RETURNING rule_id
            """;
    private static final String EVENT_COLUMNS = """
            e.id, e.org_id, e.rule_id, e.window_id, e.budget_id, e.budget_key, e.threshold, e.limit_value, e.spent,
            e.reserved, e.window_start, e.window_end, e.fired_at, e.status, e.attempts, e.next_attempt_at,
            e.resolved_at, e.action_done_at, r.channel, r.target, r.secret, r.action
            """;
    // The claim is a lease: next_attempt_at moves past the lease, so no other worker sees the row
    // until this one records its attempt or dies.
    private static final String CLAIM = """
            WITH due AS (
                SELECT id FROM alert_event
                 WHERE status = 'pending' AND next_attempt_at <= ?
                 ORDER BY next_attempt_at, id
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED)
            UPDATE alert_event e SET next_attempt_at = ?
              FROM due, alert_rule r
             WHERE e.id = due.id AND r.id = e.rule_id
            RETURNING
            """ + EVENT_COLUMNS;
    private static final String RECORD_ATTEMPT = """
            INSERT INTO alert_attempt (event_id, attempt, attempted_at, outcome, http_status, latency_ms, error)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """;
    private static final String RESOLVE = """
            UPDATE alert_event SET status = ?, attempts = ?, next_attempt_at = ?, resolved_at = ?
             WHERE id = ? AND status = 'pending'
            """;
    private static final String UNCLAIM = "UPDATE alert_event SET next_attempt_at = ? WHERE id = ? AND status = 'pending'";
    private static final String ACTION_DONE = "UPDATE alert_event SET action_done_at = ? WHERE id = ? AND action_done_at IS NULL";
    private static final String OLDEST_PENDING = "SELECT min(fired_at) FROM alert_event WHERE status = 'pending'";
    private static final String EVENTS_PAGE = "SELECT " + EVENT_COLUMNS + """
              FROM alert_event e JOIN alert_rule r ON r.id = e.rule_id
             WHERE e.org_id = ? AND (?::timestamptz IS NULL OR (e.fired_at, e.id) < (?::timestamptz, ?::uuid))
             ORDER BY e.fired_at DESC, e.id DESC
             LIMIT ?
            """;
    private static final String ATTEMPTS_OF = """
            SELECT event_id, attempt, attempted_at, outcome, http_status, latency_ms, error
              FROM alert_attempt WHERE event_id = ANY(?) ORDER BY event_id, attempt
            """;
    private static final String EVENT_BY_ID = "SELECT fired_at FROM alert_event WHERE id = ? AND org_id = ?";

    @Inject
    AgroalDataSource dataSource;

    /** A rule's id and threshold, filed under the live budget it watches. */
    public record IndexedRule(UUID ruleId, UUID budgetId, BigDecimal threshold) {
    }

    /** A window that crossed a rule's threshold in this transaction. */
    public record Crossing(UUID ruleId, long windowId, UUID budgetId, String budgetKey, BigDecimal limit,
                           BigDecimal spent, BigDecimal reserved, Instant windowStart, Instant windowEnd) {
    }

    // ---------------------------------------------------------------- rules

    public void insertRule(AlertRule rule) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT_RULE)) {
            insert.setObject(1, rule.id());
            insert.setString(2, rule.orgId());
            insert.setString(3, rule.key().scope().wireName());
            insert.setString(4, rule.key().name());
            insert.setString(5, rule.key().period().wireName());
            insert.setBigDecimal(6, rule.threshold());
            insert.setString(7, rule.channel().wireName());
            insert.setString(8, rule.target());
            insert.setString(9, rule.secret());
            insert.setString(10, rule.action());
            insert.setString(11, rule.source());
            Sql.setInstant(insert, 12, rule.createdAt());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not insert alert rule", e);
        }
    }

    public List<AlertRule> liveRules(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(LIVE_RULES)) {
            query.setString(1, orgId);
            List<AlertRule> rules = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rules.add(rule(row));
                }
            }
            return rules;
        } catch (SQLException e) {
            throw new StoreException("could not read alert rules", e);
        }
    }

    public long liveRuleCount(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(LIVE_RULE_COUNT)) {
            query.setString(1, orgId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count alert rules", e);
        }
    }

    /** Soft-deletes a live rule of the org; false when there is none. */
    public boolean deleteRule(String orgId, UUID id, Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(DELETE_RULE)) {
            Sql.setInstant(update, 1, now);
            update.setObject(2, id);
            update.setString(3, orgId);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("could not delete alert rule", e);
        }
    }

    public List<IndexedRule> ruleIndex() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(RULE_INDEX)) {
            List<IndexedRule> rules = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rules.add(new IndexedRule(row.getObject("id", UUID.class), row.getObject("budget_id", UUID.class),
                            row.getBigDecimal("threshold")));
                }
            }
            return rules;
        } catch (SQLException e) {
            throw new StoreException("could not read the alert rule index", e);
        }
    }

    // ---------------------------------------------------------------- firing (on the ledger's connection)

    /** Inserts the alerts of {@code crossings} not fired before; the result is the rule ids of those inserted. */
    public RoundTrip.Result<List<UUID>> fire(RoundTrip trip, List<Crossing> crossings, Instant now) {
        List<UUID> ids = new ArrayList<>();
        crossings.forEach(c -> ids.add(UUID.randomUUID()));
        return trip.query(FIRE, p -> {
            Connection connection = p.connection();
            p.setInstant(1, now);
            p.setInstant(2, now);
            p.setArray(3, connection.createArrayOf("uuid", ids.toArray()));
            p.setArray(4, connection.createArrayOf("uuid", crossings.stream().map(Crossing::ruleId).toArray()));
            p.setArray(5, connection.createArrayOf("bigint", crossings.stream().map(Crossing::windowId).toArray()));
            p.setArray(6, connection.createArrayOf("uuid", crossings.stream().map(Crossing::budgetId).toArray()));
            p.setArray(7, connection.createArrayOf("text", crossings.stream().map(Crossing::budgetKey).toArray()));
            p.setArray(8, connection.createArrayOf("numeric", crossings.stream().map(Crossing::limit).toArray()));
            p.setArray(9, connection.createArrayOf("numeric", crossings.stream().map(Crossing::spent).toArray()));
            p.setArray(10, connection.createArrayOf("numeric", crossings.stream().map(Crossing::reserved).toArray()));
            p.setArray(11, Sql.instants(connection, crossings.stream().map(Crossing::windowStart).toList()));
            p.setArray(12, Sql.instants(connection, crossings.stream().map(Crossing::windowEnd).toList()));
        }, row -> {
            List<UUID> fired = new ArrayList<>();
            while (row.next()) {
                fired.add(row.getObject(1, UUID.class));
            }
            return fired;
        });
    }

    // ---------------------------------------------------------------- delivery

    public List<AlertEvent> claimDue(Instant now, Instant leaseUntil, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement claim = connection.prepareStatement(CLAIM)) {
            Sql.setInstant(claim, 1, now);
            claim.setInt(2, limit);
            Sql.setInstant(claim, 3, leaseUntil);
            List<AlertEvent> events = new ArrayList<>();
            try (ResultSet row = claim.executeQuery()) {
                while (row.next()) {
                    events.add(event(row));
                }
            }
            return events;
        } catch (SQLException e) {
            throw new StoreException("could not claim alerts", e);
        }
    }

    /** Records one attempt and the alert's new state ({@code pending} with its next attempt, {@code delivered} or {@code dead}). */
    public void recordAttempt(Attempt attempt, String status, Instant nextAttemptAt, Instant resolvedAt) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(RECORD_ATTEMPT);
             PreparedStatement update = connection.prepareStatement(RESOLVE)) {
            insert.setObject(1, attempt.eventId());
            insert.setInt(2, attempt.attempt());
            Sql.setInstant(insert, 3, attempt.attemptedAt());
            insert.setString(4, attempt.outcome());
            if (attempt.httpStatus() == null) {
                insert.setNull(5, Types.INTEGER);
            } else {
                insert.setInt(5, attempt.httpStatus());
            }
            insert.setLong(6, attempt.latencyMs());
            insert.setString(7, attempt.error());
            insert.executeUpdate();
            update.setString(1, status);
            update.setInt(2, attempt.attempt());
            Sql.setInstant(update, 3, nextAttemptAt);
            Sql.setInstant(update, 4, resolvedAt);
            update.setObject(5, attempt.eventId());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not record a delivery attempt", e);
        }
    }

    /** Gives a claimed alert back without an attempt (its target was busy). */
    public void unclaim(UUID eventId, Instant dueAt) {
        update(UNCLAIM, eventId, dueAt);
    }

    public void markActionDone(UUID eventId, Instant at) {
        update(ACTION_DONE, eventId, at);
    }

    private void update(String sql, UUID eventId, Instant at) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(sql)) {
            Sql.setInstant(update, 1, at);
            update.setObject(2, eventId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not update an alert", e);
        }
    }

    public Instant oldestPending() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(OLDEST_PENDING);
             ResultSet row = query.executeQuery()) {
            row.next();
            return Sql.getInstant(row, "min");
        } catch (SQLException e) {
            throw new StoreException("could not read the outbox age", e);
        }
    }

    /** The org's fired alerts, newest first, after the cursor alert {@code startingAfter} (or from the newest). */
    public List<AlertEvent> events(String orgId, UUID startingAfter, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            Instant cursorTime = null;
            if (startingAfter != null) {
                try (PreparedStatement query = connection.prepareStatement(EVENT_BY_ID)) {
                    query.setObject(1, startingAfter);
                    query.setString(2, orgId);
                    try (ResultSet row = query.executeQuery()) {
                        if (!row.next()) {
                            return List.of();
                        }
                        cursorTime = Sql.getInstant(row, "fired_at");
                    }
                }
            }
            try (PreparedStatement query = connection.prepareStatement(EVENTS_PAGE)) {
                query.setString(1, orgId);
                Sql.setInstant(query, 2, cursorTime);
                Sql.setInstant(query, 3, cursorTime);
                query.setObject(4, startingAfter);
                query.setInt(5, limit);
                List<AlertEvent> events = new ArrayList<>();
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        events.add(event(row));
                    }
                }
                return events;
            }
        } catch (SQLException e) {
            throw new StoreException("could not read alerts", e);
        }
    }

    public Map<UUID, List<Attempt>> attempts(Collection<UUID> eventIds) {
        Map<UUID, List<Attempt>> byEvent = new HashMap<>();
        if (eventIds.isEmpty()) {
            return byEvent;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(ATTEMPTS_OF)) {
            query.setArray(1, connection.createArrayOf("uuid", eventIds.toArray()));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    UUID eventId = row.getObject("event_id", UUID.class);
                    int status = row.getInt("http_status");
                    Integer httpStatus = row.wasNull() ? null : status;
                    byEvent.computeIfAbsent(eventId, id -> new ArrayList<>()).add(new Attempt(eventId,
                            row.getInt("attempt"), Sql.getInstant(row, "attempted_at"), row.getString("outcome"), httpStatus,
                            row.getLong("latency_ms"), row.getString("error")));
                }
            }
            return byEvent;
        } catch (SQLException e) {
            throw new StoreException("could not read delivery attempts", e);
        }
    }

    // ---------------------------------------------------------------- rows

    private static AlertRule rule(ResultSet row) throws SQLException {
        Scope scope = Scope.fromWire(row.getString("scope")).orElseThrow();
        Period period = Period.fromWire(row.getString("period")).orElseThrow();
        return new AlertRule(row.getObject("id", UUID.class), row.getString("org_id"),
                new BudgetKey(scope, row.getString("name"), period), row.getBigDecimal("threshold"),
                Channel.fromWire(row.getString("channel")).orElseThrow(), row.getString("target"),
                row.getString("secret"), row.getString("action"), row.getString("source"), Sql.getInstant(row, "created_at"));
    }

    private static AlertEvent event(ResultSet row) throws SQLException {
        return new AlertEvent(row.getObject("id", UUID.class), row.getString("org_id"),
                row.getObject("rule_id", UUID.class), row.getLong("window_id"), row.getObject("budget_id", UUID.class),
                row.getString("budget_key"), row.getBigDecimal("threshold"), row.getBigDecimal("limit_value"),
                row.getBigDecimal("spent"), row.getBigDecimal("reserved"), Sql.getInstant(row, "window_start"),
                Sql.getInstant(row, "window_end"), Sql.getInstant(row, "fired_at"), row.getString("status"), row.getInt("attempts"),
                Sql.getInstant(row, "next_attempt_at"), Sql.getInstant(row, "resolved_at"), Sql.getInstant(row, "action_done_at"),
                Channel.fromWire(row.getString("channel")).orElseThrow(), row.getString("target"),
                row.getString("secret"), row.getString("action"));
    }
}
