package io.kavach.ledger.security;

import io.kavach.ledger.ledger.Names;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified JWT's {@code org} claim into the caller's org. A token without a valid
 * {@code org} claim is not a credential for any org, so it fails authentication (401).
 */
@ApplicationScoped
public class OrgClaimAugmentor implements SecurityIdentityAugmentor {

    public static final String ORG_CLAIM = "org";

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        Object claim = jwt.getClaim(ORG_CLAIM);
        String org = claim == null ? null : claim.toString();
        if (org != null && org.length() > 1 && org.startsWith("\"") && org.endsWith("\"")) {
            org = org.substring(1, org.length() - 1);
        }
        if (!Names.isOrgId(org)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token has no valid org claim"));
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity)
                .addAttribute(Caller.ORG_ATTRIBUTE, org)
                .build());
    }
}
