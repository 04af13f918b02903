package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.core.Ids;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.ApiKeyService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** SDK API keys of the caller's org; admins only (a viewer or an API key cannot mint or see keys). */
@Path("/v1/api-keys")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    static final Set<String> ENVIRONMENTS = Set.of("prod", "dev");
    /** For every answer that carries a secret. */
    static final String NO_STORE = "no-store";

    @Inject
    Caller caller;
    @Inject
    ApiKeyService apiKeys;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response create(JsonNode body) {
        RequestReader request = RequestReader.body(body);
        String name = request.text("name", RequestReader.Presence.REQUIRED, RequestReader.Text.DISPLAY_NAME);
        String environment = request.oneOf("environment", RequestReader.Presence.OPTIONAL, ENVIRONMENTS);
        request.rejectUnknown().throwIfInvalid();
        ApiKeyView issued = ApiKeyView.issued(
                apiKeys.issue(caller.orgId(), name, environment == null ? "prod" : environment));
        // The only answer that ever holds the key: no cache (browser, proxy) may keep a copy.
        return Response.created(URI.create("/v1/api-keys/" + issued.id())).entity(issued)
                .header(HttpHeaders.CACHE_CONTROL, NO_STORE).build();
    }

    @GET
    @RolesAllowed(Roles.ADMIN)
    public Map<String, List<ApiKeyView>> list() {
        return Map.of("api_keys", apiKeys.list(caller.orgId()).stream().map(ApiKeyView::of).toList());
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    public Response revoke(@PathParam("id") String id) {
        UUID keyId = Ids.parse(id).orElseThrow(() -> ProblemException.notFound("API key " + id));
        apiKeys.revoke(caller.orgId(), keyId);
        return Response.noContent().build();
    }
}
