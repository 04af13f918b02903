package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.NewReservation;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.ReservationStatus;
import io.kavach.ledger.core.StoredReservation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code reservation} table: its one writer (opening balances also sum it). Locks reservation rows in step 2 of
 * the lock order (written in {@link LedgerStore}) and writes them in step 7; works inside the
 * caller's transaction. Over 300 lines because each bulk statement carries its column arrays
 * beside it; a row's reader and its writers stay in one place.
 */
@ApplicationScoped
public class ReservationStore {

    @Inject
    AgroalDataSource dataSource;

    private static final String RESERVATION_COLUMNS = """
            r.id, r.org_id, r.status, r.amount, r.cost, r.window_ids, r.ttl_seconds, r.expires_at, r.created_at,
            r.resolved_at, r.overrun, r.late, r.provider, r.model, r.run_id, r.input_tokens, r.output_tokens,
            r.idempotency_key, r.request_fingerprint, r.outcome::text AS outcome, a.name AS agent_name, r.agent_id,
            r.hold_tokens, r.hold_input_tokens, r.hold_output_tokens
            """;
    // Only a row of the org that names it is locked: another org's id never touches that org's row
    // (the id is found by the primary key, then kept only if the org matches; filtered rows are not locked).
    private static final String LOCK_RESERVATIONS = "SELECT " + RESERVATION_COLUMNS + """
              FROM reservation r JOIN agent a ON a.id = r.agent_id
             WHERE r.id = ANY(?)
               AND (r.id, r.org_id) IN (SELECT t.id, t.org_id FROM unnest(?::uuid[], ?::text[]) AS t(id, org_id))
             ORDER BY r.id
               FOR UPDATE OF r
            """;
    private static final String LOCK_EXPIRED = "SELECT " + RESERVATION_COLUMNS + """
              FROM reservation r JOIN agent a ON a.id = r.agent_id
             WHERE r.status = 'pending' AND r.expires_at <= ?
             ORDER BY r.id
             LIMIT ?
               FOR UPDATE OF r SKIP LOCKED
            """;
    private static final String FIND_BY_KEYS = "SELECT " + RESERVATION_COLUMNS + """
              FROM reservation r JOIN agent a ON a.id = r.agent_id
             WHERE r.org_id = ? AND r.idempotency_key = ANY(?)
            """;
    private static final String FIND_ONE = "SELECT " + RESERVATION_COLUMNS + """
              FROM reservation r JOIN agent a ON a.id = r.agent_id
             WHERE r.id = ? AND r.org_id = ?
            """;
    private static final String INSERT_RESERVATIONS = """
            INSERT INTO reservation (id, org_id, agent_id, status, amount, window_ids, ttl_seconds, expires_at,
                                     idempotency_key, request_fingerprint, outcome, provider, model, run_id, created_at,
                                     hold_tokens, hold_input_tokens, hold_output_tokens)
            SELECT t.id, t.org_id, t.agent_id, t.status, t.amount, t.window_ids::bigint[], t.ttl_seconds,
                   t.expires_at::timestamptz, t.idempotency_key, t.request_fingerprint, t.outcome::jsonb,
                   t.provider, t.model, t.run_id, t.created_at::timestamptz, t.hold_tokens, t.hold_input_tokens,
                   t.hold_output_tokens
              FROM unnest(?::uuid[], ?::text[], ?::bigint[], ?::text[], ?::numeric[], ?::text[], ?::int[], ?::text[],
                          ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::bigint[], ?::bigint[], ?::bigint[])
                   AS t(id, org_id, agent_id, status, amount, window_ids, ttl_seconds, expires_at, idempotency_key,
                        request_fingerprint, outcome, provider, model, run_id, created_at, hold_tokens,
                        hold_input_tokens, hold_output_tokens)
             ORDER BY t.org_id, t.idempotency_key, t.id
            ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING id
            """;
    private static final String UPDATE_RESERVATIONS = """
            UPDATE reservation r
               SET status = t.status, cost = t.cost, resolved_at = t.resolved_at::timestamptz, overrun = t.overrun,
                   late = t.late, input_tokens = t.input_tokens, output_tokens = t.output_tokens
              FROM unnest(?::uuid[], ?::text[], ?::numeric[], ?::text[], ?::boolean[], ?::boolean[], ?::bigint[], ?::bigint[])
                   AS t(id, status, cost, resolved_at, overrun, late, input_tokens, output_tokens)
             WHERE r.id = t.id
            """;
    // ---------------------------------------------------------------- reservations

    /**
     * Locks the given reservations (ascending id), each only if it belongs to the org that names
     * it, and returns those. {@code orgByReservation}: reservation id → the orgs whose commands
     * name it (normally one).
     */
    public RoundTrip.Result<Map<UUID, StoredReservation>> lockReservations(
            RoundTrip trip, Map<UUID, ? extends Collection<String>> orgByReservation) {
        if (orgByReservation.isEmpty()) {
            return RoundTrip.Result.of(new HashMap<>());
        }
        List<UUID> ids = new ArrayList<>();
        List<String> orgs = new ArrayList<>();
        orgByReservation.forEach((id, named) -> named.forEach(org -> {
            ids.add(id);
            orgs.add(org);
        }));
        return trip.query(LOCK_RESERVATIONS, p -> {
            p.setArray(1, Sql.uuids(p.connection(), orgByReservation.keySet()));
            p.setArray(2, Sql.uuids(p.connection(), ids));
            p.setArray(3, Sql.texts(p.connection(), orgs));
        }, row -> {
            Map<UUID, StoredReservation> found = new HashMap<>();
            while (row.next()) {
                StoredReservation stored = reservation(row);
                found.put(stored.reservation().id(), stored);
            }
            return found;
        });
    }

    /** Locks up to {@code limit} pending reservations expired at {@code now}, skipping rows others hold. */
    public List<StoredReservation> lockExpired(Instant now, int limit) {
        try (Connection connection = dataSource.getConnection()) {
            List<StoredReservation> found = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(LOCK_EXPIRED)) {
                Sql.setInstant(query, 1, now);
                query.setInt(2, limit);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        found.add(reservation(row));
                    }
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreException("ledger store: lockExpired failed", e);
        }
    }

    /** Reservations of {@code orgId} already created under the given idempotency keys. */
    public RoundTrip.Result<Map<String, StoredReservation>> findByIdempotencyKeys(RoundTrip trip, String orgId,
                                                                                 Collection<String> keys) {
        if (keys.isEmpty()) {
            return RoundTrip.Result.of(new HashMap<>());
        }
        return trip.query(FIND_BY_KEYS, p -> {
            p.setString(1, orgId);
            p.setArray(2, Sql.texts(p.connection(), keys));
        }, row -> {
            Map<String, StoredReservation> found = new HashMap<>();
            while (row.next()) {
                found.put(row.getString("idempotency_key"), reservation(row));
            }
            return found;
        });
    }

    public Optional<StoredReservation> find(String orgId, UUID id) {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement query = connection.prepareStatement(FIND_ONE)) {
                query.setObject(1, id);
                query.setString(2, orgId);
                try (ResultSet row = query.executeQuery()) {
                    return row.next() ? Optional.of(reservation(row)) : Optional.empty();
                }
            }
        } catch (SQLException e) {
            throw new StoreException("ledger store: find failed", e);
        }
    }

    /**
     * Inserts new reservation rows (sorted by idempotency key). Returns false when a concurrent
     * transaction committed one of the same idempotency keys first; the caller then retries the
     * whole batch, which will find and replay that reservation.
     */
    public RoundTrip.Result<Boolean> insertReservations(RoundTrip trip, List<NewReservation> reservations) {
        if (reservations.isEmpty()) {
            return RoundTrip.Result.of(true);
        }
        int n = reservations.size();
        UUID[] ids = new UUID[n];
        String[] orgs = new String[n], statuses = new String[n], windows = new String[n], expires = new String[n],
                keys = new String[n], fingerprints = new String[n], outcomes = new String[n], providers = new String[n],
                models = new String[n], runs = new String[n], created = new String[n];
        Long[] agents = new Long[n], holdTokens = new Long[n], holdInputs = new Long[n], holdOutputs = new Long[n];
        BigDecimal[] amounts = new BigDecimal[n];
        Integer[] ttls = new Integer[n];
        for (int i = 0; i < n; i++) {
            NewReservation nr = reservations.get(i);
            Reservation r = nr.reservation();
            ids[i] = r.id();
            orgs[i] = r.orgId();
            agents[i] = nr.agentId();
            statuses[i] = r.status().wireName();
            amounts[i] = r.amount().value();
            windows[i] = Sql.arrayLiteral(r.windowIds());
            ttls[i] = r.ttlSeconds();
            expires[i] = r.expiresAt().toString();
            keys[i] = nr.idempotencyKey();
            fingerprints[i] = nr.fingerprint();
            outcomes[i] = nr.outcome() == null ? null : OutcomeCodec.encode(nr.outcome());
            providers[i] = r.provider();
            models[i] = r.model();
            runs[i] = r.runId();
            created[i] = r.createdAt().toString();
            holdTokens[i] = r.request().tokens();
            holdInputs[i] = r.request().inputTokens();
            holdOutputs[i] = r.request().outputTokens();
        }
        return trip.query(INSERT_RESERVATIONS, p -> {
            Connection connection = p.connection();
            p.setArray(1, connection.createArrayOf("uuid", ids));
            p.setArray(2, connection.createArrayOf("text", orgs));
            p.setArray(3, connection.createArrayOf("bigint", agents));
            p.setArray(4, connection.createArrayOf("text", statuses));
            p.setArray(5, connection.createArrayOf("numeric", amounts));
            p.setArray(6, connection.createArrayOf("text", windows));
            p.setArray(7, connection.createArrayOf("int4", ttls));
            p.setArray(8, connection.createArrayOf("text", expires));
            p.setArray(9, connection.createArrayOf("text", keys));
            p.setArray(10, connection.createArrayOf("text", fingerprints));
            p.setArray(11, connection.createArrayOf("text", outcomes));
            p.setArray(12, connection.createArrayOf("text", providers));
            p.setArray(13, connection.createArrayOf("text", models));
            p.setArray(14, connection.createArrayOf("text", runs));
            p.setArray(15, connection.createArrayOf("text", created));
            p.setArray(16, connection.createArrayOf("bigint", holdTokens));
            p.setArray(17, connection.createArrayOf("bigint", holdInputs));
            p.setArray(18, connection.createArrayOf("bigint", holdOutputs));
        }, row -> {
            int inserted = 0;
            while (row.next()) {
                inserted++;
            }
            return inserted == n;
        });
    }

    public void updateReservations(RoundTrip trip, List<Reservation> reservations) {
        if (reservations.isEmpty()) {
            return;
        }
        int n = reservations.size();
        UUID[] ids = new UUID[n];
        String[] statuses = new String[n], resolved = new String[n];
        BigDecimal[] costs = new BigDecimal[n];
        Boolean[] overruns = new Boolean[n], lates = new Boolean[n];
        Long[] inputs = new Long[n], outputs = new Long[n];
        for (int i = 0; i < n; i++) {
            Reservation r = reservations.get(i);
            ids[i] = r.id();
            statuses[i] = r.status().wireName();
            costs[i] = r.cost() == null ? null : r.cost().value();
            resolved[i] = r.resolvedAt() == null ? null : r.resolvedAt().toString();
            overruns[i] = r.overrun();
            lates[i] = r.late();
            inputs[i] = r.inputTokens();
            outputs[i] = r.outputTokens();
        }
        trip.update(UPDATE_RESERVATIONS, p -> {
            Connection connection = p.connection();
            p.setArray(1, connection.createArrayOf("uuid", ids));
            p.setArray(2, connection.createArrayOf("text", statuses));
            p.setArray(3, connection.createArrayOf("numeric", costs));
            p.setArray(4, connection.createArrayOf("text", resolved));
            p.setArray(5, connection.createArrayOf("bool", overruns));
            p.setArray(6, connection.createArrayOf("bool", lates));
            p.setArray(7, connection.createArrayOf("bigint", inputs));
            p.setArray(8, connection.createArrayOf("bigint", outputs));
        });
    }

    // ---------------------------------------------------------------- expiry lag

    /** When the oldest still-pending hold expires (one read of the partial index on pending expiries). */
    public Optional<Instant> oldestPendingExpiry() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT min(expires_at) FROM reservation WHERE status = 'pending'");
             ResultSet row = query.executeQuery()) {
            row.next();
            return Optional.ofNullable(Sql.getInstant(row, "min"));
        } catch (SQLException e) {
            throw new StoreException("could not read the oldest pending expiry", e);
        }
    }

    private static StoredReservation reservation(ResultSet row) throws SQLException {
        Reservation.Request request = new Reservation.Request(row.getString("agent_name"),
                Money.of(row.getBigDecimal("amount")), row.getInt("ttl_seconds"), row.getString("provider"),
                row.getString("model"), row.getString("run_id"), (Long) row.getObject("hold_tokens"),
                (Long) row.getObject("hold_input_tokens"), (Long) row.getObject("hold_output_tokens"));
        Instant resolvedAt = Sql.getInstant(row, "resolved_at");
        BigDecimal cost = row.getBigDecimal("cost");
        Reservation.Resolution resolution = resolvedAt == null ? null : new Reservation.Resolution(resolvedAt,
                cost == null ? null : Money.of(cost), row.getBoolean("overrun"), row.getBoolean("late"),
                (Long) row.getObject("input_tokens"), (Long) row.getObject("output_tokens"));
        Reservation reservation = new Reservation(row.getObject("id", UUID.class), row.getString("org_id"), request,
                Sql.getInstant(row, "created_at"), Sql.getInstant(row, "expires_at"),
                ReservationStatus.fromWire(row.getString("status")), resolution,
                Arrays.asList(Sql.longArray(row, "window_ids")));
        String outcome = row.getString("outcome");
        LedgerOutcome first = outcome == null ? null : OutcomeCodec.decode(outcome, reservation);
        return new StoredReservation(reservation, row.getString("request_fingerprint"), first, row.getLong("agent_id"));
    }
}
