package io.kavach.ledger.service;

import io.kavach.ledger.error.ProblemException;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.store.ApiKeyEntity;
import io.kavach.ledger.store.OrgEntity;
import io.kavach.ledger.store.OrgStore;
import io.kavach.ledger.security.ApiKeys;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
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

    /** A key as listings show it: never the key itself. */
    public record ApiKeyDetails(UUID id, String name, String environment, String prefix, Instant createdAt) {

        static ApiKeyDetails of(ApiKeyEntity key) {
            return new ApiKeyDetails(key.id, key.name, key.environment, key.prefix, key.createdAt);
        }
    }

    /** A freshly issued key: the details plus the full key, shown to the caller exactly once. */
    public record IssuedApiKey(ApiKeyDetails details, String key) {
    }

    @Transactional
    public IssuedApiKey issue(String orgId, String name, String environment) {
        orgs.ensure(orgId);
        // Issuing is serialised per org by the org row's lock, so the live-key bound holds under concurrency.
        OrgEntity.findById(orgId, LockModeType.PESSIMISTIC_WRITE);
        long live = ApiKeyEntity.count("orgId = ?1 and revokedAt is null", orgId);
        if (live >= LIVE_KEYS_MAX) {
            throw new ProblemException(409, "api_key_limit_reached", "Too many API keys",
                    "The org already has " + LIVE_KEYS_MAX + " live API keys; revoke one with DELETE /v1/api-keys/{id}");
        }
        String secret = ApiKeys.generate(environment);
        ApiKeyEntity key = new ApiKeyEntity();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        key.id = Ids.newId(now);
        key.orgId = orgId;
        key.name = name;
        key.environment = environment;
        key.prefix = ApiKeys.visiblePrefix(secret);
        key.keyHash = ApiKeys.hash(secret);
        key.createdAt = now;
        key.persist();
        return new IssuedApiKey(ApiKeyDetails.of(key), secret);
    }

    /** The org's live keys, oldest first. */
    @Transactional
    public List<ApiKeyDetails> list(String orgId) {
        return ApiKeyEntity.<ApiKeyEntity>find("orgId = ?1 and revokedAt is null order by createdAt, id", orgId)
                .range(0, LIVE_KEYS_MAX - 1).list()
                .stream().map(ApiKeyDetails::of).toList();
    }

    /**
     * Revokes a key with immediate effect: every API key request is checked against the database,
     * so the next request with it is refused on every instance.
     */
    @Transactional
    public void revoke(String orgId, UUID id) {
        // The org is part of the locking statement: another org's key id locks nothing. Another
        // org's key, a revoked one and a missing one are indistinguishable: 404.
        ApiKeyEntity key = ApiKeyEntity.<ApiKeyEntity>find("id = ?1 and orgId = ?2 and revokedAt is null", id, orgId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (key == null) {
            throw ProblemException.notFound("API key " + id);
        }
        key.revokedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
