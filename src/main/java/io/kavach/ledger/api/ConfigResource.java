package io.kavach.ledger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.kavach.ledger.alert.AlertSync;
import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.config.ConfigValidator;
import io.kavach.ledger.config.ConfigYaml;
import io.kavach.ledger.config.DesiredConfig;
import io.kavach.ledger.core.TimeZones;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.ConfigService;
import io.kavach.ledger.service.ConfigService.ConfigResult;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** agentkavach.yaml in and out: the org's whole budget configuration as one document. */
@Path("/v1/config")
public class ConfigResource {

    public static final String APPLICATION_YAML = "application/yaml";
    public static final String APPLICATION_X_YAML = "application/x-yaml";
    public static final String TEXT_YAML = "text/yaml";

    @Inject
    Caller caller;
    @Inject
    ConfigService config;
    @Inject
    AlertSync alertSync;

    /** A budget as a change shows it; {@code timezone} only when it is not UTC (ADR 0014). */
    public record SpecView(BigDecimal limitValue, List<String> agents, String timezone) {
        static SpecView of(BudgetSpec spec) {
            return spec == null ? null : new SpecView(spec.limit().toJsonNumber(), spec.agents(),
                    spec.timezone().equals(TimeZones.UTC) ? null : spec.timezone().getId());
        }
    }

    public record ChangeView(String action, String key,
                             @JsonInclude(JsonInclude.Include.ALWAYS) Object from,
                             @JsonInclude(JsonInclude.Include.ALWAYS) Object to) {
    }

    /** {@code unmanaged}: budgets another writer (api, sdk) owns that the file does not mention, left alone. */
    public record ConfigResultView(boolean dryRun, List<ChangeView> changes,
                                   @JsonInclude(JsonInclude.Include.ALWAYS) List<String> unmanaged,
                                   @JsonInclude(JsonInclude.Include.ALWAYS) List<FieldError> warnings,
                                   AlertSync.Outcome alerts) {
    }

    /**
     * Makes the budgets the file owns match it, atomically (ADR 0008); {@code ?dry_run=true} only
     * plans; {@code ?prune=all} also removes every budget the file does not mention, whoever owns
     * it. YAML under any of its media types, or the same structure as JSON.
     */
    @PUT
    @Consumes({APPLICATION_YAML, APPLICATION_X_YAML, TEXT_YAML, MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public ConfigResultView put(InputStream body, @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                @QueryParam("dry_run") String dryRunParam, @QueryParam("prune") String pruneParam) {
        // Anything but true/false is refused: a mistyped dry run must never apply for real.
        if (dryRunParam != null && !dryRunParam.equals("true") && !dryRunParam.equals("false")) {
            throw ProblemException.validation("dry_run", "must be true or false");
        }
        // Likewise a mistyped prune must never remove more than asked.
        if (pruneParam != null && !pruneParam.equals("all") && !pruneParam.equals("config")) {
            throw ProblemException.validation("prune", "must be all or config (the default)");
        }
        boolean pruneAll = "all".equals(pruneParam);
        boolean dryRun = "true".equals(dryRunParam);
        byte[] bytes = readBounded(body);
        boolean json = contentType != null && contentType.toLowerCase().startsWith(MediaType.APPLICATION_JSON);
        JsonNode document = json ? ConfigYaml.parseJson(bytes) : ConfigYaml.parseYaml(bytes);
        DesiredConfig desired = ConfigValidator.validate(document);
        ConfigResult result = config.apply(caller.orgId(), desired, dryRun, pruneAll);
        // The YAML's alerts: become config-owned alert rules (docs/alerts.md); a dry run only judges them.
        var alerts = alertSync.fromConfigDocument(caller.orgId(), document, desired.budgets().keySet(), dryRun);
        List<ChangeView> changes = new ArrayList<>();
        for (BudgetChange change : result.changes()) {
            changes.add(new ChangeView(change.action().wireName(), change.key().toString(),
                    SpecView.of(change.from()), SpecView.of(change.to())));
        }
        if (result.extrasTo() != null) {
            changes.add(new ChangeView(BudgetChange.Action.UPDATE.wireName(), "config_extras",
                    result.extrasFrom(), result.extrasTo()));
        }
        return new ConfigResultView(result.dryRun(), changes,
                result.unmanaged().stream().map(Object::toString).toList(), result.warnings(), alerts);
    }

    /**
     * The current configuration: YAML unless JSON is asked for first. Admin only (openapi.yaml):
     * the kept sections (channels, guardrails) may hold webhook addresses a viewer need not see.
     */
    @GET
    @Produces({APPLICATION_YAML, APPLICATION_X_YAML, TEXT_YAML, MediaType.APPLICATION_JSON})
    @RolesAllowed(Roles.ADMIN)
    public Response get(@HeaderParam(HttpHeaders.ACCEPT) String accept) {
        JsonNode document = config.export(caller.orgId());
        String wanted = preferred(accept);
        // The kept sections may hold webhook addresses: not for any cache to keep.
        if (wanted.equals(MediaType.APPLICATION_JSON)) {
            return Response.ok(ConfigYaml.writeJson(document), MediaType.APPLICATION_JSON_TYPE)
                    .header(HttpHeaders.CACHE_CONTROL, ApiKeyResource.NO_STORE).build();
        }
        return Response.ok(ConfigYaml.writeYaml(document), wanted + ";charset=UTF-8")
                .header(HttpHeaders.CACHE_CONTROL, ApiKeyResource.NO_STORE).build();
    }

    /** The first supported type in Accept (q-values aside); YAML when none is named. */
    private static String preferred(String accept) {
        if (accept != null) {
            for (String part : accept.split(",")) {
                String type = part.split(";")[0].trim().toLowerCase();
                switch (type) {
                    case MediaType.APPLICATION_JSON:
                        return MediaType.APPLICATION_JSON;
                    case APPLICATION_YAML, APPLICATION_X_YAML, TEXT_YAML:
                        return type;
                    default:
                        break;
                }
            }
        }
        return APPLICATION_YAML;
    }

    private static byte[] readBounded(InputStream body) {
        if (body == null) {
            return new byte[0];
        }
        try {
            byte[] bytes = body.readNBytes(ConfigYaml.BODY_BYTES_MAX + 1);
            if (bytes.length > ConfigYaml.BODY_BYTES_MAX) {
                throw ConfigYaml.bodyTooLarge();
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
