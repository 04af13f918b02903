package io.kavach.ledger.api;

import io.kavach.ledger.config.ConfigYaml;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How large a request body each route accepts, in one table: what the route needs with room to
 * spare, never more. {@link BodyLimitProblemRoute} refuses a declared {@code Content-Length} over
 * the route's limit before anything else runs; the body readers ({@link JsonBodyReader},
 * ingest, config) stop reading at the same limit when the length is not declared (chunked), so
 * memory per request is bounded either way. Every refusal is a 413 problem+json. The numbers and
 * their reasons are listed in docs/security.md.
 */
public final class BodyLimits {

    static final int KIB = 1024;
    static final int MIB = 1024 * KIB;

    /** Ingest: the SDK's gzipped batches, on the wire and once inflated. */
    public static final int INGEST_BYTES_MAX = 10 * MIB;
    public static final int INGEST_INFLATED_BYTES_MAX = 10 * MIB;
    /** Routes not in the table below. */
    public static final int DEFAULT_BYTES_MAX = 64 * KIB;

    private record Route(String method, Pattern path, int bytesMax) {
    }

    private static final String ID = "[^/]+";
    private static final List<Route> ROUTES = List.of(
            // A reservation is a few hundred bytes; 8 KiB still holds every field at its maximum length.
            new Route("POST", Pattern.compile("/v1/reservations/?"), 8 * KIB),
            new Route("POST", Pattern.compile("/v1/reservations/" + ID + "/(commit|release)/?"), 4 * KIB),
            new Route("POST", Pattern.compile("/v1/ingest/?"), INGEST_BYTES_MAX),
            // Budgets of an agent, a pool's members (1,000 names of up to 128 characters), an org budget.
            new Route("POST", Pattern.compile("/v1/org/budgets/?"), 4 * KIB),
            new Route("PUT", Pattern.compile("/v1/org/budgets/" + ID + "/?"), 4 * KIB),
            new Route("PUT", Pattern.compile("/v1/agents/" + ID + "/budgets/?"), 4 * KIB),
            new Route("POST", Pattern.compile("/v1/shared-budgets/?"), MIB),
            new Route("PUT", Pattern.compile("/v1/shared-budgets/" + ID + "/?"), MIB),
            new Route("POST", Pattern.compile("/v1/api-keys/?"), 4 * KIB),
            // An agentkavach.yaml (the configuration's own bound), and an SDK's synced configuration.
            new Route("PUT", Pattern.compile("/v1/config/?"), ConfigYaml.BODY_BYTES_MAX),
            new Route("POST", Pattern.compile("/v1/sync-config/?"), 512 * KIB));

    private BodyLimits() {
    }

    /** The most bytes a body of {@code method path} may have. */
    public static int bytesMax(String method, String path) {
        for (Route route : ROUTES) {
            if (route.method().equalsIgnoreCase(method) && route.path().matcher(path).matches()) {
                return route.bytesMax();
            }
        }
        return DEFAULT_BYTES_MAX;
    }

    /** The 413 for a body over {@code bytesMax}; the connection is closed, since the rest of the body is not read. */
    public static ProblemException tooLarge(long bytesMax) {
        return new ProblemException(413, "body_too_large", "Payload too large",
                "The body is larger than this endpoint's limit of " + bytesMax + " bytes")
                .with("limit_bytes", bytesMax)
                .withHeader("Connection", "close");
    }
}
