package io.kavach.ledger.api;

import io.kavach.ledger.core.Admission;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for the budget an
 * answer is bound by, so that a generic HTTP client can back off without knowing our reason codes:
 *
 * <pre>
 * RateLimit-Policy: "shared:research-pool:daily";q=50000000;qu="usd-micros";w=86400
 * RateLimit: "shared:research-pool:daily";r=12000000;t=3600
 * </pre>
 *
 * The policy is named by the budget's key; {@code q} is its limit and {@code r} what is left, as
 * Structured Field integers, so a USD budget counts in micro-dollars ({@code qu="usd-micros"},
 * rounded down: {@code r=0} only when less than a millionth of a dollar is left); {@code w} is the
 * window's length and {@code t} the seconds until it ends, both absent for a {@code total}
 * budget, which never resets. See docs/rate-limit-headers.md.
 */
final class RateLimitFields {

    static final String POLICY = "RateLimit-Policy";
    static final String LIMIT = "RateLimit";
    /** The RFC 9457 extension member of a 429 that names the exhausted policies. */
    static final String VIOLATED_POLICIES = "violated-policies";
    static final String USD_MICROS = "usd-micros";

    /** The largest Structured Field integer (RFC 8941 §3.3.1): 15 decimal digits. */
    private static final BigDecimal SF_INTEGER_MAX = new BigDecimal("999999999999999");
    private static final BigDecimal MICROS_PER_USD = BigDecimal.valueOf(1_000_000);

    private RateLimitFields() {
    }

    /** Adds the fields of the tightest of {@code budgets}, if any budget applies. */
    static Response.ResponseBuilder addTightest(Response.ResponseBuilder response, List<BudgetState> budgets,
                                                Instant now) {
        Admission.tightest(budgets).ifPresent(binding -> {
            response.header(POLICY, policy(binding));
            response.header(LIMIT, limit(binding, now));
        });
        return response;
    }

    /** Adds the fields of {@code binding} to a 429 and names the violated policies in its body. */
    static ProblemException addViolated(ProblemException problem, BudgetState binding,
                                        List<BudgetState> violated, Instant now) {
        return problem.withHeader(POLICY, policy(binding))
                .withHeader(LIMIT, limit(binding, now))
                .with(VIOLATED_POLICIES, violated.stream().map(RateLimitFields::policyName).distinct().toList());
    }

    /**
     * The policy's name: the budget key, or — when the key holds characters a Structured Field
     * string cannot (an agent name beyond printable ASCII, such as {@code agent-é}) —
     * {@code budget:<id>}. The header and the body's {@code violated-policies} use the same.
     */
    static String policyName(BudgetState budget) {
        String key = budget.key().toString();
        return key.chars().allMatch(c -> c >= 0x20 && c <= 0x7E) ? key : "budget:" + budget.budgetId();
    }

    /** {@code text} (printable ASCII) as a Structured Field string. */
    private static String fieldString(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    static String policy(BudgetState budget) {
        StringBuilder item = new StringBuilder(fieldString(policyName(budget)))
                .append(";q=").append(quota(budget, budget.limit()))
                .append(";qu=\"").append(quotaUnit(budget)).append('"');
        windowSeconds(budget).ifPresent(seconds -> item.append(";w=").append(seconds));
        return item.toString();
    }

    static String limit(BudgetState budget, Instant now) {
        StringBuilder item = new StringBuilder(fieldString(policyName(budget)))
                .append(";r=").append(quota(budget, budget.remaining()));
        budget.window().secondsUntilEnd(now).ifPresent(seconds -> item.append(";t=").append(seconds));
        return item.toString();
    }

    /**
     * The unit follows the budget (ADR 0015): micro-dollars for cost, else the budget type itself
     * ({@code tokens}, {@code input_tokens}, {@code output_tokens}, {@code requests}).
     */
    private static String quotaUnit(BudgetState budget) {
        return budget.key().type().counts() ? budget.key().type().wireName() : USD_MICROS;
    }

    /**
     * In the budget's quota unit (whole micro-dollars for cost, rounded down; counts as they are),
     * never negative, at most the largest field integer.
     */
    private static String quota(BudgetState budget, Money amount) {
        BigDecimal units = budget.key().type().counts() ? amount.value() : amount.value().multiply(MICROS_PER_USD);
        return units.setScale(0, RoundingMode.FLOOR).max(BigDecimal.ZERO).min(SF_INTEGER_MAX).toPlainString();
    }

    private static OptionalLong windowSeconds(BudgetState budget) {
        Instant end = budget.window().end();
        return end == null ? OptionalLong.empty()
                : OptionalLong.of(Duration.between(budget.window().start(), end).getSeconds());
    }
}
