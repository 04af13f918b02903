package io.kavach.ledger.security;

import io.kavach.ledger.store.ApiKeyStore;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.MessageDigest;

/**
 * Verifies an API key against the database, so a revoked key is refused at once on every
 * instance. The one exception (ADR 0004): on the spend paths a key this instance has seen live
 * is accepted without a query and marked {@link Caller#UNCHECKED_KEY_HASH_ATTRIBUTE}; the ledger
 * batch then checks it inside the spend's own transaction and refuses it if it was revoked.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<ApiKeyAuthenticationRequest> {

    @Inject
    ApiKeyStore keys;
    @Inject
    KnownApiKeys known;

    @Override
    public Class<ApiKeyAuthenticationRequest> getRequestType() {
        return ApiKeyAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ApiKeyAuthenticationRequest request, AuthenticationRequestContext context) {
        String key = request.key();
        if (!ApiKeys.isWellFormed(key)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("malformed API key"));
        }
        byte[] hash = ApiKeys.hash(key);
        if (request.deferRevocationCheck()) {
            var seen = known.find(hash);
            if (seen.isPresent()) {
                return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal("api-key:" + seen.get().keyId()))
                        .addRole(Roles.SDK)
                        .addAttribute(Caller.ORG_ATTRIBUTE, seen.get().orgId())
                        .addAttribute(Caller.UNCHECKED_KEY_HASH_ATTRIBUTE, hash)
                        .build());
            }
        }
        return context.runBlocking(() -> lookup(hash));
    }

    private SecurityIdentity lookup(byte[] hash) {
        // The index finds the row by hash; the explicit constant-time comparison keeps the final
        // check independent of how many bytes match.
        ApiKeyStore.LiveKey live = keys.findLive(hash).filter(k -> MessageDigest.isEqual(hash, k.keyHash()))
                .orElseThrow(() -> {
                    known.forget(hash);
                    return new AuthenticationFailedException("unknown or revoked API key");
                });
        known.remember(hash, live.id(), live.orgId());
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("api-key:" + live.id()))
                .addRole(Roles.SDK)
                .addAttribute(Caller.ORG_ATTRIBUTE, live.orgId())
                .build();
    }
}
