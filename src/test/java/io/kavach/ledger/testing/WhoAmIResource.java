package io.kavach.ledger.testing;

import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * Test-only SDK endpoint (it exists only in the test build): answers with the org an API key
 * authenticates as, so API-key authentication can be tested before the real SDK endpoints exist.
 */
@Path("/test-only/whoami")
@Produces(MediaType.APPLICATION_JSON)
public class WhoAmIResource {

    @Inject
    Caller caller;

    @GET
    @RolesAllowed(Roles.SDK)
    public Map<String, String> whoami() {
        return Map.of("org", caller.orgId());
    }
}
