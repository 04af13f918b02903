package io.kavach.ledger.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises {@code Authorization: Bearer ak_…} (SDK API keys). It runs before the JWT mechanism
 * and steps aside (null) for any other bearer token, which the JWT mechanism then verifies.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "bearer ";
    /**
     * The spend paths (all POST): reserve, commit, release and ingest. Their ledger batch checks
     * the key again inside its transaction, so their authentication may skip the revocation query.
     */
    private static final Pattern SPEND_PATH =
            Pattern.compile("/v1/reservations|/v1/reservations/[^/]+/(commit|release)|/v1/ingest");
    /** The SDK's budget read (GET), which checks the key in its own first round trip likewise. */
    private static final Pattern BUDGET_READ = Pattern.compile("/v1/agents/[^/]+/budget");

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().nullItem();
        }
        String token = header.substring(BEARER.length()).trim();
        if (!ApiKeys.looksLikeKey(token)) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager.authenticate(new ApiKeyAuthenticationRequest(token, checksKeyItself(context)));
    }

    /**
     * Exactly the four spend endpoints and the budget read, which check the key with their own
     * statements (ADR 0004); any other method or path keeps the per-request check.
     */
    static boolean checksKeyItself(RoutingContext context) {
        String path = context.normalizedPath();
        HttpMethod method = context.request().method();
        return HttpMethod.POST.equals(method) && SPEND_PATH.matcher(path).matches()
                || HttpMethod.GET.equals(method) && BUDGET_READ.matcher(path).matches();
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer realm=\"kavach-ledger\""));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyAuthenticationRequest.class);
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
