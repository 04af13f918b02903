package io.kavach.ledger.security;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Dev mode only: makes sure the persistent dev key pair exists (application.properties points
 * the dev profile's verify and sign keys at it) and prints an admin token for the {@code default}
 * org with a ready curl command, so {@code ./mvnw quarkus:dev} is usable at once.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DevModeToken {

    static final String ORG = "default";
    static final Duration TTL = Duration.ofDays(30);
    private static final Logger LOG = Logger.getLogger(DevModeToken.class);

    @ConfigProperty(name = "kavach.dev-keys.directory")
    Path directory;
    @ConfigProperty(name = "mp.jwt.verify.issuer", defaultValue = TokenCommand.DEFAULT_ISSUER)
    String issuer;
    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8000")
    int port;

    void printAtStartup(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) throws IOException {
        if (DevKeyPair.ensure(directory)) {
            LOG.infof("Created the dev-mode JWT key pair in %s (outside the source tree; never commit it)", directory);
        }
        String token = Jwt.issuer(issuer).subject("dev-mode").claim(OrgClaimAugmentor.ORG_CLAIM, ORG)
                .groups(Set.of(Roles.ADMIN)).expiresIn(TTL).sign();
        LOG.infof("""
                Dev mode admin token for org "%s" (valid %d days; signed with the key pair in %s):

                export TOKEN=%s

                Dashboard: http://localhost:%d/ (paste the token above)

                curl -i -X POST http://localhost:%d/v1/org/budgets -H "Authorization: Bearer $TOKEN" \\
                  -H 'Content-Type: application/json' -d '{"budget_type":"cost","period":"daily","limit_value":100.0}'
                """, ORG, TTL.toDays(), directory, token, port, port);
    }
}
