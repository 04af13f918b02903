package io.kavach.ledger.store;

import io.kavach.ledger.core.Budget;
import io.kavach.ledger.core.JournalEntry;
import io.kavach.ledger.core.NewReservation;
import io.kavach.ledger.core.RecordedEvent;
import io.kavach.ledger.core.RefusalRow;
import io.kavach.ledger.core.RollupRow;
import io.kavach.ledger.core.StoredReservation;
import io.kavach.ledger.core.WindowSpec;
import io.kavach.ledger.core.WindowSpec.WindowRef;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.LedgerCommand.SpendEvent;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.ReservationStatus;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.Window;
import io.kavach.ledger.core.WindowBalance;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The PostgreSQL side of the spend path. Every method works on the caller's connection, inside
 * the caller's transaction.
 *
 * <p><b>The ledger's lock order</b>, written here once; ADR 0003 and the processor cite these
 * numbers. Every ledger transaction (a batch of {@code LedgerProcessor}, the expiry sweep) takes
 * its locks in these steps, skipping those it does not need:
 * <ol start="0">
 *   <li>which of the batch's API keys are live (ADR 0004): a read, no lock;</li>
 *   <li>each org's budget definitions, a shared advisory lock, orgs sorted (ADR 0008;
 *       definition writers take it exclusively, before their org row);</li>
 *   <li>reservation rows of commits and releases, ascending id, {@code FOR UPDATE} (the sweep:
 *       expired pending rows, ascending id, {@code SKIP LOCKED}); reservations under the batch's
 *       idempotency keys are read without a lock;</li>
 *   <li>agents created on first use, names sorted ({@code AgentStore}; the insert's foreign key
 *       check key-share locks the org row), and what applies to them, read without a lock;</li>
 *   <li>missing windows created, sorted by budget and start;</li>
 *   <li>spend events inserted, sorted by org and idempotency key;</li>
 *   <li>every window the batch touches, in one statement, ascending id, {@code FOR UPDATE};</li>
 *   <li>under those locks, the writes: window counters, alert outbox rows (ADR 0011), new
 *       reservations sorted by org and idempotency key, reservation updates, journal rows, then
 *       spend rollup rows and refusal rows, each upserted sorted by key (ADR 0010).</li>
 * </ol>
 * A transaction waiting at one step holds only locks of earlier steps, so two ledger transactions
 * can never wait on each other in a cycle.
 */
@ApplicationScoped
public class LedgerStore {

    /**
     * The advisory lock key of an org's budget definitions (one text parameter: the org id).
     * Budget-definition writers hold it exclusively for their transaction
     * ({@link BudgetDefinitionStore#lockOrg}); every ledger batch holds it shared, first of all
     * its locks, so it reads what applies and creates windows either wholly before or wholly
     * after a definition change (a new window never starts with a limit an admin just lowered).
     */
    public static final String DEFINITIONS_LOCK_KEY = "hashtextextended('kavach.budgets:' || ?, 0)";
    private static final String SHARE_DEFINITIONS = """
            SELECT count(pg_advisory_xact_lock_shared(hashtextextended('kavach.budgets:' || o.org_id, 0)))
              FROM (SELECT DISTINCT org_id FROM unnest(?::text[]) AS t(org_id) ORDER BY org_id) AS o
            """;

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
    private static final String ENSURE_WINDOWS = """
            INSERT INTO budget_window (budget_id, window_start, window_end, limit_value)
            SELECT t.budget_id, t.window_start::timestamptz, t.window_end::timestamptz, t.limit_value
              FROM unnest(?::uuid[], ?::text[], ?::text[], ?::numeric[]) AS t(budget_id, window_start, window_end, limit_value)
             ORDER BY t.budget_id, t.window_start::timestamptz
            ON CONFLICT (budget_id, window_start) DO NOTHING
            """;
    private static final String LOCK_WINDOWS = """
            SELECT w.id, w.budget_id, w.window_start, w.window_end, w.limit_value, w.spent, w.reserved,
                   b.scope, b.name, b.budget_type, b.period, b.limit_value AS budget_limit, b.timezone, b.model, b.provider
              FROM budget_window w JOIN budget b ON b.id = w.budget_id
             WHERE w.id = ANY(?)
                OR (w.budget_id, w.window_start) IN (
                    SELECT t.budget_id, t.window_start::timestamptz
                      FROM unnest(?::uuid[], ?::text[]) AS t(budget_id, window_start))
             ORDER BY w.id
               FOR UPDATE OF w
            """;
    private static final String WINDOW_IDS = """
            SELECT w.id, w.budget_id, w.window_start
              FROM budget_window w
             WHERE (w.budget_id, w.window_start) IN (
                    SELECT t.budget_id, t.window_start::timestamptz
                      FROM unnest(?::uuid[], ?::text[]) AS t(budget_id, window_start))
            """;
    private static final String INSERT_EVENTS = """
            INSERT INTO spend_event (org_id, agent_id, idempotency_key, cost, window_ids, occurred_at, provider, model,
                                     input_tokens, output_tokens, duration_ms, run_id, status)
            SELECT t.org_id, t.agent_id, t.idempotency_key, t.cost, t.window_ids::bigint[], t.occurred_at::timestamptz,
                   t.provider, t.model, t.input_tokens, t.output_tokens, t.duration_ms, t.run_id, t.status
              FROM unnest(?::text[], ?::bigint[], ?::text[], ?::numeric[], ?::text[], ?::text[], ?::text[], ?::text[],
                          ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::int[])
                   AS t(org_id, agent_id, idempotency_key, cost, window_ids, occurred_at, provider, model,
                        input_tokens, output_tokens, duration_ms, run_id, status, position)
             ORDER BY t.org_id, t.idempotency_key, t.position
            ON CONFLICT (org_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            RETURNING org_id, idempotency_key
            """;
    private static final String EVENT_PAYLOADS = """
            SELECT idempotency_key, agent_id, cost, occurred_at FROM spend_event
             WHERE org_id = ? AND idempotency_key = ANY(?)
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
    private static final String INSERT_JOURNAL = """
            INSERT INTO journal_entry (org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta, unit)
            SELECT t.org_id, t.kind, t.reservation_id, t.window_ids::bigint[], t.reserved_delta, t.spent_delta, t.unit
              FROM unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::numeric[], ?::numeric[], ?::text[])
                   AS t(org_id, kind, reservation_id, window_ids, reserved_delta, spent_delta, unit)
            """;
    private static final String UPDATE_WINDOWS = """
            UPDATE budget_window w
               SET spent = t.spent, reserved = t.reserved
              FROM unnest(?::bigint[], ?::numeric[], ?::numeric[]) AS t(id, spent, reserved)
             WHERE w.id = t.id
            """;

    // ---------------------------------------------------------------- API keys

    private static final String LIVE_KEY_HASHES =
            "SELECT key_hash FROM api_key WHERE key_hash = ANY(?) AND revoked_at IS NULL";

    /**
     * Which of {@code keyHashes} (SHA-256 of API keys) belong to live keys, as lower-case hex.
     * Takes no lock; in a READ COMMITTED transaction it sees every revocation committed before it.
     */
    public Set<String> liveKeyHashes(Connection connection, Collection<byte[]> keyHashes) throws SQLException {
        Set<String> live = new HashSet<>();
        if (keyHashes.isEmpty()) {
            return live;
        }
        try (PreparedStatement query = connection.prepareStatement(LIVE_KEY_HASHES)) {
            query.setArray(1, connection.createArrayOf("bytea", keyHashes.toArray(new byte[0][])));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    live.add(HexFormat.of().formatHex(row.getBytes(1)));
                }
            }
        }
        return live;
    }

    /**
     * The batch's first lock: the budget definitions of each of its orgs, shared (many batches of
     * one org run side by side; a definition change waits for them and they for it).
     */
    public void shareBudgetDefinitions(Connection connection, Collection<String> orgIds) throws SQLException {
        if (orgIds.isEmpty()) {
            return;
        }
        try (PreparedStatement lock = connection.prepareStatement(SHARE_DEFINITIONS)) {
            lock.setArray(1, Sql.texts(connection, orgIds));
            lock.executeQuery().close();
        }
    }

    // ---------------------------------------------------------------- reservations

    /**
     * Locks the given reservations (ascending id), each only if it belongs to the org that names
     * it, and returns those. {@code orgByReservation}: reservation id → the orgs whose commands
     * name it (normally one).
     */
    public Map<UUID, StoredReservation> lockReservations(Connection connection, Map<UUID, ? extends Collection<String>> orgByReservation)
            throws SQLException {
        Map<UUID, StoredReservation> found = new HashMap<>();
        if (orgByReservation.isEmpty()) {
            return found;
        }
        List<UUID> ids = new ArrayList<>();
        List<String> orgs = new ArrayList<>();
        orgByReservation.forEach((id, named) -> named.forEach(org -> {
            ids.add(id);
            orgs.add(org);
        }));
        try (PreparedStatement query = connection.prepareStatement(LOCK_RESERVATIONS)) {
            query.setArray(1, Sql.uuids(connection, orgByReservation.keySet()));
            query.setArray(2, Sql.uuids(connection, ids));
            query.setArray(3, Sql.texts(connection, orgs));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    StoredReservation stored = reservation(row);
                    found.put(stored.reservation().id(), stored);
                }
            }
        }
        return found;
    }

    /** Locks up to {@code limit} pending reservations expired at {@code now}, skipping rows others hold. */
    public List<StoredReservation> lockExpired(Connection connection, Instant now, int limit) throws SQLException {
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
    }

    /** Reservations of {@code orgId} already created under the given idempotency keys. */
    public Map<String, StoredReservation> findByIdempotencyKeys(Connection connection, String orgId,
                                                                Collection<String> keys) throws SQLException {
        Map<String, StoredReservation> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        try (PreparedStatement query = connection.prepareStatement(FIND_BY_KEYS)) {
            query.setString(1, orgId);
            query.setArray(2, Sql.texts(connection, keys));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString("idempotency_key"), reservation(row));
                }
            }
        }
        return found;
    }

    public Optional<StoredReservation> find(Connection connection, String orgId, UUID id)
            throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(FIND_ONE)) {
            query.setObject(1, id);
            query.setString(2, orgId);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(reservation(row)) : Optional.empty();
            }
        }
    }

    /**
     * Inserts new reservation rows (sorted by idempotency key). Returns false when a concurrent
     * transaction committed one of the same idempotency keys first; the caller then retries the
     * whole batch, which will find and replay that reservation.
     */
    public boolean insertReservations(Connection connection, List<NewReservation> reservations) throws SQLException {
        if (reservations.isEmpty()) {
            return true;
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
            windows[i] = arrayLiteral(r.windowIds());
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
        try (PreparedStatement insert = connection.prepareStatement(INSERT_RESERVATIONS)) {
            insert.setArray(1, connection.createArrayOf("uuid", ids));
            insert.setArray(2, connection.createArrayOf("text", orgs));
            insert.setArray(3, connection.createArrayOf("bigint", agents));
            insert.setArray(4, connection.createArrayOf("text", statuses));
            insert.setArray(5, connection.createArrayOf("numeric", amounts));
            insert.setArray(6, connection.createArrayOf("text", windows));
            insert.setArray(7, connection.createArrayOf("int4", ttls));
            insert.setArray(8, connection.createArrayOf("text", expires));
            insert.setArray(9, connection.createArrayOf("text", keys));
            insert.setArray(10, connection.createArrayOf("text", fingerprints));
            insert.setArray(11, connection.createArrayOf("text", outcomes));
            insert.setArray(12, connection.createArrayOf("text", providers));
            insert.setArray(13, connection.createArrayOf("text", models));
            insert.setArray(14, connection.createArrayOf("text", runs));
            insert.setArray(15, connection.createArrayOf("text", created));
            insert.setArray(16, connection.createArrayOf("bigint", holdTokens));
            insert.setArray(17, connection.createArrayOf("bigint", holdInputs));
            insert.setArray(18, connection.createArrayOf("bigint", holdOutputs));
            int inserted = 0;
            try (ResultSet row = insert.executeQuery()) {
                while (row.next()) {
                    inserted++;
                }
            }
            return inserted == n;
        }
    }

    public void updateReservations(Connection connection, List<Reservation> reservations) throws SQLException {
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
        try (PreparedStatement update = connection.prepareStatement(UPDATE_RESERVATIONS)) {
            update.setArray(1, connection.createArrayOf("uuid", ids));
            update.setArray(2, connection.createArrayOf("text", statuses));
            update.setArray(3, connection.createArrayOf("numeric", costs));
            update.setArray(4, connection.createArrayOf("text", resolved));
            update.setArray(5, connection.createArrayOf("bool", overruns));
            update.setArray(6, connection.createArrayOf("bool", lates));
            update.setArray(7, connection.createArrayOf("bigint", inputs));
            update.setArray(8, connection.createArrayOf("bigint", outputs));
            update.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- windows

    /** Creates the windows that do not exist yet, with the budget's current limit. Locks nothing that exists. */
    public void ensureWindows(Connection connection, Collection<WindowSpec> specs) throws SQLException {
        if (specs.isEmpty()) {
            return;
        }
        List<WindowSpec> sorted = specs.stream()
                .sorted(Comparator.comparing((WindowSpec s) -> s.budget().id()).thenComparing(s -> s.window().start()))
                .toList();
        try (PreparedStatement insert = connection.prepareStatement(ENSURE_WINDOWS)) {
            insert.setArray(1, Sql.uuids(connection, sorted.stream().map(s -> s.budget().id()).toList()));
            insert.setArray(2, Sql.instants(connection, sorted.stream().map(s -> s.window().start()).toList()));
            insert.setArray(3, Sql.instants(connection, sorted.stream().map(s -> s.window().end()).toList()));
            insert.setArray(4, Sql.decimals(connection, sorted.stream().map(s -> s.budget().limit().value()).toList()));
            insert.executeUpdate();
        }
    }

    /** The row ids of existing windows, without locking them (a window's id never changes). */
    public Map<WindowRef, Long> windowIds(Connection connection, Collection<WindowRef> refs)
            throws SQLException {
        Map<WindowRef, Long> ids = new HashMap<>();
        if (refs.isEmpty()) {
            return ids;
        }
        try (PreparedStatement query = connection.prepareStatement(WINDOW_IDS)) {
            query.setArray(1, Sql.uuids(connection, refs.stream().map(WindowRef::budgetId).toList()));
            query.setArray(2, Sql.instants(connection, refs.stream().map(WindowRef::start).toList()));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    ids.put(new WindowRef(row.getObject("budget_id", UUID.class),
                            Sql.getInstant(row, "window_start")), row.getLong("id"));
                }
            }
        }
        return ids;
    }

    /**
     * Locks, in one statement and ascending id order, every window named by ref or by id, and
     * returns their counters keyed by row id.
     */
    public Map<Long, WindowBalance> lockWindows(Connection connection, Collection<WindowRef> refs,
                                                Collection<Long> ids) throws SQLException {
        Map<Long, WindowBalance> locked = new LinkedHashMap<>();
        if (refs.isEmpty() && ids.isEmpty()) {
            return locked;
        }
        try (PreparedStatement query = connection.prepareStatement(LOCK_WINDOWS)) {
            query.setArray(1, Sql.longs(connection, ids));
            query.setArray(2, Sql.uuids(connection, refs.stream().map(WindowRef::budgetId).toList()));
            query.setArray(3, Sql.instants(connection, refs.stream().map(WindowRef::start).toList()));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    Budget budget = new Budget(row.getObject("budget_id", UUID.class), BudgetRows.key(row),
                            row.getString("budget_type"), Money.of(row.getBigDecimal("budget_limit")), null,
                            BudgetRows.timezone(row));
                    long id = row.getLong("id");
                    locked.put(id, new WindowBalance(id, budget,
                            new Window(Sql.getInstant(row, "window_start"), Sql.getInstant(row, "window_end")),
                            Money.of(row.getBigDecimal("limit_value")), Money.of(row.getBigDecimal("spent")),
                            Money.of(row.getBigDecimal("reserved"))));
                }
            }
        }
        return locked;
    }

    /** Writes back the counters of every window this transaction changed. */
    public void updateWindows(Connection connection, Collection<WindowBalance> windows) throws SQLException {
        List<WindowBalance> changed = windows.stream().filter(WindowBalance::changed).toList();
        if (changed.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE_WINDOWS)) {
            update.setArray(1, Sql.longs(connection, changed.stream().map(WindowBalance::windowId).toList()));
            update.setArray(2, Sql.decimals(connection, changed.stream().map(w -> w.spent().value()).toList()));
            update.setArray(3, Sql.decimals(connection, changed.stream().map(w -> w.reserved().value()).toList()));
            update.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- journal and events

    public void insertJournal(Connection connection, List<JournalEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_JOURNAL)) {
            insert.setArray(1, Sql.texts(connection, entries.stream().map(JournalEntry::orgId).toList()));
            insert.setArray(2, Sql.texts(connection, entries.stream().map(e -> e.kind().wireName()).toList()));
            insert.setArray(3, Sql.uuids(connection, entries.stream().map(JournalEntry::reservationId).toList()));
            insert.setArray(4, Sql.texts(connection, entries.stream().map(e -> arrayLiteral(e.windowIds())).toList()));
            insert.setArray(5, Sql.decimals(connection, entries.stream().map(e -> e.reservedDelta().value()).toList()));
            insert.setArray(6, Sql.decimals(connection, entries.stream().map(e -> e.spentDelta().value()).toList()));
            insert.setArray(7, Sql.texts(connection, entries.stream().map(e -> e.unit().wireName()).toList()));
            insert.executeUpdate();
        }
    }

    /**
     * Inserts spend events; an event whose idempotency key the org already has is skipped. Returns,
     * per org, the keys that were inserted now. Within one call the first event of a key (in the
     * given order) is the one inserted.
     */
    public Map<String, Set<String>> insertEvents(Connection connection, List<NewEvent> events)
            throws SQLException {
        Map<String, Set<String>> inserted = new HashMap<>();
        if (events.isEmpty()) {
            return inserted;
        }
        int n = events.size();
        String[] orgs = new String[n], keys = new String[n], windows = new String[n], occurred = new String[n],
                providers = new String[n], models = new String[n], runs = new String[n], statuses = new String[n];
        Long[] agents = new Long[n], inputs = new Long[n], outputs = new Long[n], durations = new Long[n];
        BigDecimal[] costs = new BigDecimal[n];
        Integer[] positions = new Integer[n];
        for (int i = 0; i < n; i++) {
            NewEvent ne = events.get(i);
            SpendEvent e = ne.event();
            orgs[i] = ne.orgId();
            agents[i] = ne.agentId();
            keys[i] = e.idempotencyKey();
            costs[i] = e.cost().value();
            windows[i] = arrayLiteral(ne.windowIds());
            occurred[i] = e.occurredAt().toString();
            providers[i] = e.provider();
            models[i] = e.model();
            inputs[i] = e.inputTokens();
            outputs[i] = e.outputTokens();
            durations[i] = e.durationMs();
            runs[i] = e.runId();
            statuses[i] = e.status();
            positions[i] = i;
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT_EVENTS)) {
            insert.setArray(1, connection.createArrayOf("text", orgs));
            insert.setArray(2, connection.createArrayOf("bigint", agents));
            insert.setArray(3, connection.createArrayOf("text", keys));
            insert.setArray(4, connection.createArrayOf("numeric", costs));
            insert.setArray(5, connection.createArrayOf("text", windows));
            insert.setArray(6, connection.createArrayOf("text", occurred));
            insert.setArray(7, connection.createArrayOf("text", providers));
            insert.setArray(8, connection.createArrayOf("text", models));
            insert.setArray(9, connection.createArrayOf("bigint", inputs));
            insert.setArray(10, connection.createArrayOf("bigint", outputs));
            insert.setArray(11, connection.createArrayOf("bigint", durations));
            insert.setArray(12, connection.createArrayOf("text", runs));
            insert.setArray(13, connection.createArrayOf("text", statuses));
            insert.setArray(14, connection.createArrayOf("int4", positions));
            try (ResultSet row = insert.executeQuery()) {
                while (row.next()) {
                    String key = row.getString("idempotency_key");
                    if (key != null) {
                        inserted.computeIfAbsent(row.getString("org_id"), o -> new HashSet<>()).add(key);
                    }
                }
            }
        }
        return inserted;
    }

    /**
     * What the org's already recorded events under {@code keys} were (agent, cost, time), by key:
     * a redelivery must match it, another payload under the same key is not the same event.
     */
    public Map<String, RecordedEvent> eventPayloads(Connection connection, String orgId, Collection<String> keys)
            throws SQLException {
        Map<String, RecordedEvent> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        try (PreparedStatement query = connection.prepareStatement(EVENT_PAYLOADS)) {
            query.setString(1, orgId);
            query.setArray(2, Sql.texts(connection, keys));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString("idempotency_key"), new RecordedEvent(row.getLong("agent_id"),
                            Money.of(row.getBigDecimal("cost")), Sql.getInstant(row, "occurred_at")));
                }
            }
        }
        return found;
    }

    // ---------------------------------------------------------------- rollup and refusals

    private static final String ADD_TO_ROLLUP = """
            INSERT INTO spend_daily AS d (org_id, budget_id, day, agent_id, provider, model, cost, input_tokens,
                                          output_tokens, calls)
            SELECT t.org_id, t.budget_id, t.day::date, t.agent_id, t.provider, t.model, t.cost, t.input_tokens,
                   t.output_tokens, t.calls
              FROM unnest(?::text[], ?::uuid[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::numeric[], ?::bigint[],
                          ?::bigint[], ?::bigint[])
                   AS t(org_id, budget_id, day, agent_id, provider, model, cost, input_tokens, output_tokens, calls)
            ON CONFLICT (org_id, budget_id, day, agent_id, provider, model) DO UPDATE
               SET cost = d.cost + EXCLUDED.cost, input_tokens = d.input_tokens + EXCLUDED.input_tokens,
                   output_tokens = d.output_tokens + EXCLUDED.output_tokens, calls = d.calls + EXCLUDED.calls
            """;
    private static final String RECORD_REFUSALS = """
            INSERT INTO refusal AS r (org_id, agent_id, kind, reason, budget_key, first_at, last_at, count)
            SELECT t.org_id, t.agent_id, t.kind, t.reason, t.budget_key, t.at::timestamptz, t.at::timestamptz, t.count
              FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                   AS t(org_id, agent_id, kind, reason, budget_key, at, count)
            ON CONFLICT (org_id, agent_id, kind, reason, budget_key) DO UPDATE
               SET last_at = greatest(r.last_at, EXCLUDED.last_at), count = r.count + EXCLUDED.count
            """;

    /**
     * Adds booked spend to the daily rollup, in the booking's transaction. Rows are summed per key
     * and written in key order, so two transactions lock rollup rows in the same order.
     */
    public void addToRollup(Connection connection, Collection<RollupRow> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        TreeMap<String, RollupRow> summed = new TreeMap<>();
        for (RollupRow row : rows) {
            summed.merge(row.sortKey(), row, RollupRow::plus);
        }
        List<RollupRow> sorted = List.copyOf(summed.values());
        try (PreparedStatement insert = connection.prepareStatement(ADD_TO_ROLLUP)) {
            insert.setArray(1, Sql.texts(connection, sorted.stream().map(RollupRow::orgId).toList()));
            insert.setArray(2, Sql.uuids(connection, sorted.stream().map(RollupRow::budgetId).toList()));
            insert.setArray(3, Sql.texts(connection, sorted.stream().map(r -> r.day().toString()).toList()));
            insert.setArray(4, Sql.longs(connection, sorted.stream().map(RollupRow::agentId).toList()));
            insert.setArray(5, Sql.texts(connection, sorted.stream().map(RollupRow::provider).toList()));
            insert.setArray(6, Sql.texts(connection, sorted.stream().map(RollupRow::model).toList()));
            insert.setArray(7, Sql.decimals(connection, sorted.stream().map(r -> r.cost().value()).toList()));
            insert.setArray(8, Sql.longs(connection, sorted.stream().map(RollupRow::inputTokens).toList()));
            insert.setArray(9, Sql.longs(connection, sorted.stream().map(RollupRow::outputTokens).toList()));
            insert.setArray(10, Sql.longs(connection, sorted.stream().map(RollupRow::calls).toList()));
            insert.executeUpdate();
        }
    }

    /** Records refusals (counted per agent, kind, reason and budget), in key order, in the refusing transaction. */
    public void recordRefusals(Connection connection, Collection<RefusalRow> refusals) throws SQLException {
        if (refusals.isEmpty()) {
            return;
        }
        TreeMap<String, RefusalRow> summed = new TreeMap<>();
        for (RefusalRow refusal : refusals) {
            summed.merge(refusal.sortKey(), refusal, RefusalRow::plus);
        }
        List<RefusalRow> sorted = List.copyOf(summed.values());
        try (PreparedStatement insert = connection.prepareStatement(RECORD_REFUSALS)) {
            insert.setArray(1, Sql.texts(connection, sorted.stream().map(RefusalRow::orgId).toList()));
            insert.setArray(2, Sql.longs(connection, sorted.stream().map(RefusalRow::agentId).toList()));
            insert.setArray(3, Sql.texts(connection, sorted.stream().map(RefusalRow::kind).toList()));
            insert.setArray(4, Sql.texts(connection, sorted.stream().map(RefusalRow::reason).toList()));
            insert.setArray(5, Sql.texts(connection, sorted.stream().map(RefusalRow::budgetKey).toList()));
            insert.setArray(6, Sql.instants(connection, sorted.stream().map(RefusalRow::at).toList()));
            insert.setArray(7, Sql.longs(connection, sorted.stream().map(RefusalRow::count).toList()));
            insert.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- rows

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

    static String arrayLiteral(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }

    /** A spend event to insert, with the agent and the windows it is booked into. */
    public record NewEvent(String orgId, long agentId, SpendEvent event, List<Long> windowIds) {
    }
}
