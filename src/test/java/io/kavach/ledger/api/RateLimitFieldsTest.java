package io.kavach.ledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The field values at their edges: amounts past what a Structured Field integer holds, overruns, escaping. */
class RateLimitFieldsTest {

    private static final Instant NOW = Instant.parse("2026-03-31T23:59:59.250Z");

    @Test
    void aLimitBeyondFifteenDigitsIsCappedAtTheLargestFieldInteger() {
        BudgetState huge = state(BudgetKey.org(Period.MONTHLY), "1000000000000", "0");
        assertEquals("\"org:monthly\";q=999999999999999;qu=\"usd-micros\";w=2678400", RateLimitFields.policy(huge));
        assertEquals("\"org:monthly\";r=999999999999999;t=1", RateLimitFields.limit(huge, NOW));
    }

    @Test
    void anOverrunLeavesNothingRatherThanANegativeRemainder() {
        BudgetState overrun = state(BudgetKey.shared("p", Period.DAILY), "1", "1.75");
        assertEquals("\"shared:p:daily\";r=0;t=1", RateLimitFields.limit(overrun, NOW));
    }

    @Test
    void aQuoteOrBackslashInAnAgentNameIsEscaped() {
        BudgetState quoted = state(BudgetKey.agent("say \"hi\" \\o/", Period.TOTAL), "1", "0");
        assertEquals("\"agent:say \\\"hi\\\" \\\\o/:total\";r=1000000", RateLimitFields.limit(quoted, NOW));
        assertEquals("agent:say \"hi\" \\o/:total", RateLimitFields.policyName(quoted));
    }

    private static BudgetState state(BudgetKey key, String limit, String spent) {
        return new BudgetState(UUID.randomUUID(), key, BudgetState.COST, Money.of(limit), Money.of(spent), Money.ZERO,
                key.period().windowAt(NOW, io.kavach.ledger.core.TimeZones.UTC));
    }
}
