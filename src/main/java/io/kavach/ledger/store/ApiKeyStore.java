package io.kavach.ledger.store;

import io.kavach.ledger.core.ApiKeyDetails;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code api_key} table: its one reader and writer (ADR 0012). Only a key's SHA-256 hash and a
 * recognisable prefix are kept, never the key.
 */
@ApplicationScoped
public class ApiKeyStore {

    private static final String FIND_LIVE =
            "SELECT id, org_id, key_hash FROM api_key WHERE key_hash = ? AND revoked_at IS NULL";
    private static final String LIVE_HASHES =
            "SELECT key_hash FROM api_key WHERE key_hash = ANY(?) AND revoked_at IS NULL";
    private static final String COUNT_LIVE = "SELECT count(*) FROM api_key WHERE org_id = ? AND revoked_at IS NULL";
    private static final String LIST_LIVE = """
            SELECT id, name, environment, prefix, created_at FROM api_key
             WHERE org_id = ? AND revoked_at IS NULL
             ORDER BY created_at, id
             LIMIT ?
            """;
    private static final String INSERT = """
            INSERT INTO api_key (id, org_id, name, environment, prefix, key_hash, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """;
    // The org is part of the statement: another org's key id changes nothing.
    private static final String REVOKE =
            "UPDATE api_key SET revoked_at = ? WHERE id = ? AND org_id = ? AND revoked_at IS NULL";

    @Inject
    AgroalDataSource dataSource;

    /** A live key found by its hash: whose it is. */
    public record LiveKey(String id, String orgId, byte[] keyHash) {
    }

    public Optional<LiveKey> findLive(byte[] keyHash) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(FIND_LIVE)) {
            query.setBytes(1, keyHash);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(new LiveKey(row.getString("id"), row.getString("org_id"),
                        row.getBytes("key_hash"))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("API key lookup failed", e);
        }
    }

    /**
     * Which of {@code keyHashes} belong to live keys, as lower-case hex. Takes no lock; in a READ
     * COMMITTED transaction it sees every revocation committed before it (step 0 of the lock order
     * in {@link LedgerStore}).
     */
    public RoundTrip.Result<Set<String>> liveKeyHashes(RoundTrip trip, Collection<byte[]> keyHashes) {
        if (keyHashes.isEmpty()) {
            return RoundTrip.Result.of(new HashSet<>());
        }
        return trip.query(LIVE_HASHES,
                p -> p.setArray(1, p.connection().createArrayOf("bytea", keyHashes.toArray(new byte[0][]))),
                row -> {
                    Set<String> live = new HashSet<>();
                    while (row.next()) {
                        live.add(HexFormat.of().formatHex(row.getBytes(1)));
                    }
                    return live;
                });
    }

    public long liveCount(String orgId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(COUNT_LIVE)) {
            query.setString(1, orgId);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        } catch (SQLException e) {
            throw new StoreException("could not count API keys", e);
        }
    }

    /** The org's live keys, oldest first, at most {@code limit}. */
    public List<ApiKeyDetails> live(String orgId, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(LIST_LIVE)) {
            query.setString(1, orgId);
            query.setInt(2, limit);
            List<ApiKeyDetails> keys = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    keys.add(new ApiKeyDetails(row.getObject("id", UUID.class), row.getString("name"),
                            row.getString("environment"), row.getString("prefix"), Sql.getInstant(row, "created_at")));
                }
            }
            return keys;
        } catch (SQLException e) {
            throw new StoreException("could not list API keys", e);
        }
    }

    public void insert(String orgId, ApiKeyDetails key, byte[] keyHash) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setObject(1, key.id());
            insert.setString(2, orgId);
            insert.setString(3, key.name());
            insert.setString(4, key.environment());
            insert.setString(5, key.prefix());
            insert.setBytes(6, keyHash);
            Sql.setInstant(insert, 7, key.createdAt());
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("could not store API key", e);
        }
    }

    /** Revokes the org's live key {@code id}; false when the org has no such live key. */
    public boolean revoke(String orgId, UUID id, Instant at) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(REVOKE)) {
            Sql.setInstant(update, 1, at);
            update.setObject(2, id);
            update.setString(3, orgId);
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("could not revoke API key", e);
        }
    }
}
