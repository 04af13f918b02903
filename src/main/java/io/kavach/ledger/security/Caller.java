package io.kavach.ledger.security;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/** Who is calling: the org every query is scoped to. Resources never take an org from the request. */
@RequestScoped
public class Caller {

    /** Identity attribute carrying the caller's org id, set for JWTs and API keys alike. */
    public static final String ORG_ATTRIBUTE = "kavach.org";

    /**
     * Identity attribute carrying the SHA-256 of an API key accepted without a revocation check
     * (spend paths only, ADR 0004); the ledger batch must check it before spending.
     */
    public static final String UNCHECKED_KEY_HASH_ATTRIBUTE = "kavach.unchecked-key-hash";

    @Inject
    SecurityIdentity identity;

    public String orgId() {
        Object org = identity.getAttribute(ORG_ATTRIBUTE);
        if (!(org instanceof String id)) {
            throw new UnauthorizedException();
        }
        return id;
    }

    /** The hash of an API key whose revocation the spend's ledger transaction must still check. */
    public Optional<byte[]> uncheckedApiKeyHash() {
        Object hash = identity.getAttribute(UNCHECKED_KEY_HASH_ATTRIBUTE);
        return hash instanceof byte[] bytes ? Optional.of(bytes.clone()) : Optional.empty();
    }

    public boolean isSdk() {
        return identity.hasRole(Roles.SDK);
    }
}
