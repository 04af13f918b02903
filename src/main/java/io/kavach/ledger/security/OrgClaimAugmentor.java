package io.kavach.ledger.security;

import io.kavach.ledger.core.Names;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a verified JWT into a management caller, or refuses it (401): the token must carry a
 * valid {@code org} claim (the caller's org), an {@code iat} and a {@code jti}, and be younger
 * than {@code kavach.jwt.max-age} whatever its {@code exp} says, so a leaked token dies within
 * that age. Its {@code groups} grant management roles only: SDK powers come from an API key,
 * which can be revoked, never from a token.
 */
@ApplicationScoped
public class OrgClaimAugmentor implements SecurityIdentityAugmentor {

    public static final String ORG_CLAIM = "org";
    /** How far in the future an {@code iat} may be (clock skew between the minter and the service). */
    static final Duration ISSUED_AT_SKEW_MAX = Duration.ofMinutes(1);

    /**
     * Wall-clock time, as SmallRye JWT checks {@code exp} against it; not the ledger's clock,
     * which decides budget windows (and which tests move).
     */
    Clock clock = Clock.systemUTC();
    @ConfigProperty(name = JwtPolicy.MAX_AGE, defaultValue = JwtPolicy.MAX_AGE_DEFAULT)
    Duration maxAge;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        Optional<String> problem = problem(jwt);
        if (problem.isPresent()) {
            return Uni.createFrom().failure(new AuthenticationFailedException(problem.get()));
        }
        QuarkusSecurityIdentity.Builder caller = QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt)
                .addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes())
                .addAttribute(Caller.ORG_ATTRIBUTE, org(jwt));
        identity.getRoles().stream().filter(role -> !Roles.SDK.equals(role)).forEach(caller::addRole);
        return Uni.createFrom().item(caller.build());
    }

    /** Why the token is no credential, or empty when it is one. */
    private Optional<String> problem(JsonWebToken jwt) {
        if (!Names.isOrgId(org(jwt))) {
            return Optional.of("token has no valid org claim");
        }
        String id = jwt.getTokenID();
        if (id == null || id.isBlank()) {
            return Optional.of("token has no jti claim");
        }
        if (jwt.getClaim("iat") == null) {
            return Optional.of("token has no iat claim");
        }
        Instant issuedAt = Instant.ofEpochSecond(jwt.getIssuedAtTime());
        Instant now = clock.instant();
        if (issuedAt.isAfter(now.plus(ISSUED_AT_SKEW_MAX))) {
            return Optional.of("token is issued in the future");
        }
        if (issuedAt.plus(maxAge).isBefore(now)) {
            return Optional.of("token is older than " + maxAge);
        }
        return Optional.empty();
    }

    private static String org(JsonWebToken jwt) {
        Object claim = jwt.getClaim(ORG_CLAIM);
        String org = claim == null ? null : claim.toString();
        if (org != null && org.length() > 1 && org.startsWith("\"") && org.endsWith("\"")) {
            org = org.substring(1, org.length() - 1);
        }
        return org;
    }
}
