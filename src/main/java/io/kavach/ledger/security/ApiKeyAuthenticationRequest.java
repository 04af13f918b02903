package io.kavach.ledger.security;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/**
 * An {@code Authorization: Bearer ak_…} credential on its way to {@link ApiKeyIdentityProvider}.
 * {@code deferRevocationCheck} is set only for the spend paths, whose ledger batch re-checks the
 * key in its own transaction (ADR 0004): there a known key may be accepted without a query.
 */
public final class ApiKeyAuthenticationRequest extends BaseAuthenticationRequest {

    private final String key;
    private final boolean deferRevocationCheck;

    public ApiKeyAuthenticationRequest(String key) {
        this(key, false);
    }

    public ApiKeyAuthenticationRequest(String key, boolean deferRevocationCheck) {
        this.key = key;
        this.deferRevocationCheck = deferRevocationCheck;
    }

    public String key() {
        return key;
    }

    public boolean deferRevocationCheck() {
        return deferRevocationCheck;
    }
}
