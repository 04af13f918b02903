package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.AgentPause;
import io.kavach.ledger.core.LedgerInvariantViolation;
import io.kavach.ledger.core.OrgLimitReached;
import io.kavach.ledger.core.ResolvedAgent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Agents are created implicitly the first time a name is used. Lookups come first (the common
 * case costs one indexed read); missing names are inserted in sorted order so two transactions
 * creating the same agents never wait on each other in opposite orders. The same read returns
 * whether each agent is paused (ADR 0007), so the spend path learns it at no extra cost.
 */
@ApplicationScoped
public class AgentStore {

    private static final String FIND =
            "SELECT id, name, paused_at, paused_reason, paused_until FROM agent WHERE org_id = ? AND name = ANY(?)";
    private static final String PAUSE_OF =
            "SELECT paused_at, paused_reason, paused_until FROM agent WHERE org_id = ? AND name = ?";
    // A second pause keeps the time the agent was first stopped and takes the latest reason; it
    // never shortens the stop: a pause without an end stays so, otherwise the later end wins.
    private static final String PAUSE = """
            UPDATE agent SET paused_at = coalesce(paused_at, ?), paused_reason = ?,
                   paused_until = CASE WHEN paused_at IS NOT NULL AND paused_until IS NULL THEN NULL
                                       WHEN ?::timestamptz IS NULL THEN NULL
                                       ELSE greatest(paused_until, ?::timestamptz) END
             WHERE org_id = ? AND name = ?
            """;
    private static final String RESUME = """
            UPDATE agent SET paused_at = NULL, paused_reason = NULL, paused_until = NULL
             WHERE org_id = ? AND name = ?
            """;
    private static final String LIFT_ENDED = """
            UPDATE agent SET paused_at = NULL, paused_reason = NULL, paused_until = NULL
             WHERE paused_until <= ?
            """;
    // Creates the missing names only if they all fit under the org's cap (the third parameter),
    // none of them otherwise; sorted, so two batches creating the same agents wait in one order.
    private static final String CREATE_WITHIN = """
            WITH missing AS (SELECT DISTINCT name FROM unnest(?::text[]) AS name)
            INSERT INTO agent (org_id, name)
            SELECT ?, name FROM missing
             WHERE (SELECT count(*) FROM agent WHERE org_id = ?) + (SELECT count(*) FROM missing) <= ?
             ORDER BY name
            ON CONFLICT (org_id, name) DO NOTHING
            """;

    @Inject
    AgroalDataSource dataSource;

    /**
     * The ids of the named agents of {@code orgId}, creating those that do not exist yet; refuses
     * ({@link OrgLimitReached}) when the org would then have more than {@code agentsMax} agents.
     * Exact when the caller holds the org lock (configuration writers).
     */
    public Map<String, Long> ensure(String orgId, Collection<String> names, int agentsMax) {
        Map<String, ResolvedAgent> agents = resolveWithin(orgId, names, agentsMax);
        if (agents.size() < new TreeSet<>(names).size()) {
            throw OrgLimitReached.agents(agentsMax);
        }
        Map<String, Long> ids = new HashMap<>();
        agents.forEach((name, agent) -> ids.put(name, agent.id()));
        return ids;
    }

    /**
     * The named agents of {@code orgId} with their pause state, creating those that do not exist
     * yet (unpaused). Inside a transaction the read sees every pause committed before it started.
     * When the missing names do not fit under {@code agentsMax} none of them is created and they
     * are simply absent from the result (the spend path refuses the commands that need them,
     * alone). Without the org lock two transactions may both fit, so the cap can be passed by at
     * most the names of the batches creating agents at that moment.
     */
    public Map<String, ResolvedAgent> resolveWithin(String orgId, Collection<String> names, int agentsMax) {
        if (names.isEmpty()) {
            return Map.of();
        }
        RoundTrip lookup = new RoundTrip(dataSource);
        RoundTrip.Result<Map<String, ResolvedAgent>> existing = find(lookup, orgId, names);
        lookup.run();
        Map<String, ResolvedAgent> found = existing.get();
        TreeSet<String> missing = new TreeSet<>(names);
        missing.removeAll(found.keySet());
        if (missing.isEmpty()) {
            return found;
        }
        RoundTrip create = new RoundTrip(dataSource);
        createWithin(create, orgId, missing, agentsMax);
        RoundTrip.Result<Map<String, ResolvedAgent>> all = find(create, orgId, names);
        create.run();
        return all.get();
    }

    /** The named agents of {@code orgId} that exist, with their pause state. Creates nothing. */
    public RoundTrip.Result<Map<String, ResolvedAgent>> find(RoundTrip trip, String orgId, Collection<String> names) {
        if (names.isEmpty()) {
            return RoundTrip.Result.of(new LinkedHashMap<>());
        }
        return trip.query(FIND, p -> {
            p.setString(1, orgId);
            p.setArray(2, Sql.texts(p.connection(), names));
        }, row -> {
            Map<String, ResolvedAgent> agents = new LinkedHashMap<>();
            while (row.next()) {
                agents.put(row.getString("name"), new ResolvedAgent(row.getLong("id"), pause(row)));
            }
            return agents;
        });
    }

    /**
     * Creates the {@code missing} agents of {@code orgId} if all of them fit under {@code agentsMax},
     * none otherwise (see {@link #resolveWithin}).
     */
    public void createWithin(RoundTrip trip, String orgId, Collection<String> missing, int agentsMax) {
        trip.update(CREATE_WITHIN, p -> {
            p.setArray(1, Sql.texts(p.connection(), missing));
            p.setString(2, orgId);
            p.setString(3, orgId);
            p.setInt(4, agentsMax);
        });
    }

    /** The agent's pause, or empty when it is not paused or does not exist. Creates nothing. */
    public RoundTrip.Result<Optional<AgentPause>> pauseOf(RoundTrip trip, String orgId, String name) {
        return trip.query(PAUSE_OF, p -> {
            p.setString(1, orgId);
            p.setString(2, name);
        }, row -> row.next() ? Optional.ofNullable(pause(row)) : Optional.empty());
    }

    /**
     * Pauses an existing agent until {@code until}, or until it is resumed when {@code until} is
     * null (a repeated pause keeps its first time, takes the new reason and never ends sooner).
     */
    public void pause(String orgId, String name, Instant at, String reason, Instant until) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(PAUSE)) {
            Sql.setInstant(update, 1, at);
            update.setString(2, reason);
            Sql.setInstant(update, 3, until);
            Sql.setInstant(update, 4, until);
            update.setString(5, orgId);
            update.setString(6, name);
            if (update.executeUpdate() != 1) {
                throw new LedgerInvariantViolation("no agent " + name + " to pause");
            }
        } catch (SQLException e) {
            throw new StoreException("could not pause agent", e);
        }
    }

    /** Lifts the agent's pause; false when the agent does not exist. */
    public boolean resume(String orgId, String name) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(RESUME)) {
            update.setString(1, orgId);
            update.setString(2, name);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("could not resume agent", e);
        }
    }

    /** Lifts every pause whose end is at or before {@code now}; returns how many. */
    public int liftEndedPauses(Instant now) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(LIFT_ENDED)) {
            Sql.setInstant(update, 1, now);
            return update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not lift ended pauses", e);
        }
    }

    /** The pause of the current row (columns paused_at, paused_reason, paused_until), or null. */
    static AgentPause pause(ResultSet row) throws SQLException {
        Instant at = Sql.getInstant(row, "paused_at");
        return at == null ? null
                : new AgentPause(at, row.getString("paused_reason"), Sql.getInstant(row, "paused_until"));
    }
}
