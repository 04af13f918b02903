package floor;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestResponse;

import floor.Model.Budget;
import floor.Model.Reservation;
import floor.Model.ReserveRequest;
import io.smallrye.mutiny.Uni;

/**
 * POST /rest/reservations: the Quarkus REST + Jackson path, non-blocking (returns Uni, so it runs on
 * the event loop). No ledger work: the answer is built from the request, constants, a new UUID and
 * Instant.now().
 */
@Path("/rest/reservations")
public class RestReservations {

    private static final UUID ORG_BUDGET = UUID.fromString("fbcbeee7-00f5-4b94-8065-1752da1f95a7");
    private static final UUID POOL_BUDGET = UUID.fromString("4b4d6607-05bf-40df-94ca-046362eadec6");
    private static final UUID AGENT_BUDGET = UUID.fromString("9d10edfb-f13c-4926-bdac-7f9ca6681144");
    private static final BigDecimal LIMIT = new BigDecimal("1000000000.0");
    private static final BigDecimal SPENT = new BigDecimal("0.0");
    private static final String RATE_LIMIT = "\"org:daily\";r=999999999999999;t=14405";
    private static final String RATE_LIMIT_POLICY = "\"org:daily\";q=999999999999999;qu=\"usd-micros\";w=86400";

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Reservation>> reserve(@RestHeader("Authorization") String authorization,
            ReserveRequest request) {
        if (authorization == null || !authorization.startsWith("Bearer ak_")) {
            return Uni.createFrom().item(RestResponse.status(RestResponse.Status.UNAUTHORIZED));
        }
        if (request == null || request.amount() == null || request.agentName() == null) {
            return Uni.createFrom().item(RestResponse.status(RestResponse.Status.BAD_REQUEST));
        }
        // Microseconds, as the real service's timestamps (PostgreSQL timestamptz): same byte length.
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        int ttl = request.ttlSeconds() == null ? 3600 : request.ttlSeconds();
        Instant windowStart = now.truncatedTo(ChronoUnit.DAYS);
        Instant windowEnd = windowStart.plus(Duration.ofDays(1));
        BigDecimal amount = request.amount();
        BigDecimal remaining = LIMIT.subtract(SPENT).subtract(amount);
        List<Budget> budgets = List.of(
                new Budget(ORG_BUDGET, "org:daily", "org", null, "cost", "daily", "UTC", LIMIT, SPENT, amount,
                        remaining, 0, windowStart, windowEnd),
                new Budget(POOL_BUDGET, "shared:hot-pool:daily", "shared", "hot-pool", "cost", "daily", "UTC",
                        LIMIT, SPENT, amount, remaining, 0, windowStart, windowEnd),
                new Budget(AGENT_BUDGET, "agent:" + request.agentName() + ":daily", "agent", request.agentName(),
                        "cost", "daily", "UTC", LIMIT, SPENT, amount, remaining, 0, windowStart, windowEnd));
        UUID id = UUID.randomUUID();
        Reservation reservation = new Reservation(id, "pending", request.agentName(), amount, false, false, ttl,
                now.plusSeconds(ttl), now, request.provider(), request.model(), budgets);
        return Uni.createFrom().item(RestResponse.ResponseBuilder.create(RestResponse.Status.CREATED, reservation)
                .header("Location", "/v1/reservations/" + id)
                .header("RateLimit", RATE_LIMIT)
                .header("RateLimit-Policy", RATE_LIMIT_POLICY)
                .build());
    }
}
