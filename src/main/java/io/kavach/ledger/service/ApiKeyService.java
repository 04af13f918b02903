package io.kavach.ledger.service;

import io.kavach.ledger.core.ApiKeyDetails;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.security.ApiKeys;
import io.kavach.ledger.store.ApiKeyStore;
import io.kavach.ledger.store.OrgStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** SDK API keys of an org: issue (the only time the key itself is seen), list, revoke. */
@ApplicationScoped
public class ApiKeyService {

    /**
     * Live keys per org. Listings return all of them, so this bound is also the listing's page
     * size: a list can never silently hide a live key.
     */
    public static final int LIVE_KEYS_MAX = 1000;

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    ApiKeyStore keys;

    /** A freshly issued key: the details plus the full key, shown to the caller exactly once. */
    public record IssuedApiKey(ApiKeyDetails details, String key) {
    }

    @Transactional
    public IssuedApiKey issue(String orgId, String name, String environment) {
        orgs.ensure(orgId);
        // Issuing is serialised per org by the org row's lock, so the live-key bound holds under concurrency.
        orgs.lock(orgId);
        if (keys.liveCount(orgId) >= LIVE_KEYS_MAX) {
            throw new DomainError.BoundReached("api_key_limit_reached", "Too many API keys",
                    "The org already has " + LIVE_KEYS_MAX + " live API keys; revoke one with DELETE /v1/api-keys/{id}");
        }
        String secret = ApiKeys.generate(environment);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        ApiKeyDetails key = new ApiKeyDetails(Ids.newId(now), name, environment, ApiKeys.visiblePrefix(secret), now);
        keys.insert(orgId, key, ApiKeys.hash(secret));
        return new IssuedApiKey(key, secret);
    }

    /** The org's live keys, oldest first. */
    @Transactional
    public List<ApiKeyDetails> list(String orgId) {
        return keys.live(orgId, LIVE_KEYS_MAX - 1);
    }

    /**
     * Revokes a key with immediate effect: every API key request is checked against the database,
     * so the next request with it is refused on every instance.
     */
    @Transactional
    public void revoke(String orgId, UUID id) {
        // Another org's key, a revoked one and a missing one are indistinguishable: 404.
        if (!keys.revoke(orgId, id, clock.instant().truncatedTo(ChronoUnit.MILLIS))) {
            throw new DomainError.NotFound("API key " + id);
        }
    }
}
