package floor;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Request and response records, shaped like the real POST /v1/reservations (snake_case via config). */
public final class Model {

    private Model() {
    }

    public record ReserveRequest(String agentName, BigDecimal amount, Integer ttlSeconds, String provider,
            String model) {
    }

    public record Reservation(UUID id, String status, String agentName, BigDecimal amount, boolean overrun,
            boolean late, int ttlSeconds, Instant expiresAt, Instant createdAt, String provider, String model,
            List<Budget> budgets) {
    }

    public record Budget(UUID id, String key, String scope, String name, String budgetType, String period,
            String timezone, BigDecimal limitValue, BigDecimal spent, BigDecimal reserved, BigDecimal remaining,
            int utilization, Instant windowStart, Instant windowEnd) {
    }
}
