package io.kavach.ledger.security;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * API keys this instance has seen live: key hash → (key id, org id). A key's org never changes,
 * so an entry never becomes wrong, only possibly revoked; it is used only where the ledger batch
 * re-checks revocation in its own transaction (ADR 0004). Bounded: cleared when full.
 */
@ApplicationScoped
public class KnownApiKeys {

    static final int CAPACITY = 10_000;

    /** The identity a live key stands for. */
    public record Known(String keyId, String orgId) {
    }

    private final Map<String, Known> known = new ConcurrentHashMap<>();

    Optional<Known> find(byte[] keyHash) {
        return Optional.ofNullable(known.get(HexFormat.of().formatHex(keyHash)));
    }

    void remember(byte[] keyHash, String keyId, String orgId) {
        if (known.size() >= CAPACITY) {
            known.clear();
        }
        known.put(HexFormat.of().formatHex(keyHash), new Known(keyId, orgId));
    }

    /** Drops a key found revoked (or missing), so its next request takes the database path. */
    public void forget(byte[] keyHash) {
        known.remove(HexFormat.of().formatHex(keyHash));
    }

    /** Whether the key is held as seen live (for tests and diagnostics). */
    public boolean knows(byte[] keyHash) {
        return known.containsKey(HexFormat.of().formatHex(keyHash));
    }
}
