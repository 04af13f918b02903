package io.kavach.ledger.security;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Who is calling: the org every query is scoped to. Resources never take an org from the request. */
@RequestScoped
public class Caller {

    /** Identity attribute carrying the caller's org id, set for JWTs and API keys alike. */
    public static final String ORG_ATTRIBUTE = "kavach.org";

    @Inject
    SecurityIdentity identity;

    public String orgId() {
        Object org = identity.getAttribute(ORG_ATTRIBUTE);
        if (!(org instanceof String id)) {
            throw new UnauthorizedException();
        }
        return id;
    }

    public boolean isSdk() {
        return identity.hasRole(Roles.SDK);
    }
}
