package io.kavach.ledger.api;

import io.kavach.ledger.core.ApiKeyDetails;
import io.kavach.ledger.service.ApiKeyService.IssuedApiKey;
import java.time.Instant;

/** An API key as the contract shows it; {@code key} is present only in the answer that issued it. */
public record ApiKeyView(String id, String name, String environment, String key, String prefix, Instant createdAt) {

    public static ApiKeyView of(ApiKeyDetails key) {
        return new ApiKeyView(key.id().toString(), key.name(), key.environment(), null, key.prefix(), key.createdAt());
    }

    public static ApiKeyView issued(IssuedApiKey issued) {
        ApiKeyDetails key = issued.details();
        return new ApiKeyView(key.id().toString(), key.name(), key.environment(), issued.key(), key.prefix(),
                key.createdAt());
    }
}
