package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The admission rule and 429 precedence, without a database. */
class AdmissionTest {

    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

    private static WindowBalance window(long id, BudgetKey key, String limit, String spent, String reserved) {
        Budget budget = new Budget(UUID.randomUUID(), key, "cost", Money.of(limit));
        return new WindowBalance(id, budget, budget.windowAt(NOW), Money.of(limit), Money.of(spent),
                Money.of(reserved));
    }

    @Test
    void aHoldFitsExactlyUpToTheLimit() {
        WindowBalance pool = window(1, BudgetKey.shared("p", Period.DAILY), "1.00", "0.40", "0.30");
        assertTrue(Admission.refusal(List.of(pool), Usage.ofCost(Money.of("0.30"))).isEmpty());
        assertEquals(pool, Admission.refusal(List.of(pool), Usage.ofCost(Money.of("0.300000001"))).orElseThrow());
    }

    @Test
    void theOrgIsNamedFirstThenThePoolThenTheAgent() {
        WindowBalance agent = window(1, BudgetKey.agent("a", Period.DAILY), "1", "1", "0");
        WindowBalance pool = window(2, BudgetKey.shared("p", Period.DAILY), "1", "1", "0");
        WindowBalance org = window(3, BudgetKey.org(Period.MONTHLY), "5", "5", "0");
        assertEquals(org, Admission.refusal(List.of(agent, pool, org), Usage.ofCost(Money.of("0.01"))).orElseThrow());
        assertEquals(pool, Admission.refusal(List.of(agent, pool), Usage.ofCost(Money.of("0.01"))).orElseThrow());
        assertEquals(List.of(org, pool, agent), Admission.exhausted(List.of(agent, pool, org)));
        assertEquals("org_budget_exceeded", Scope.ORG.exceededReason());
    }

    @Test
    void withinAScopeTheTightestIsNamed() {
        WindowBalance loose = window(1, BudgetKey.shared("a", Period.DAILY), "10", "9", "0");
        WindowBalance tight = window(2, BudgetKey.shared("b", Period.DAILY), "10", "9.5", "0");
        assertEquals(tight, Admission.refusal(List.of(loose, tight), Usage.ofCost(Money.of("2"))).orElseThrow());
    }

    @Test
    void brokenInvariantsAreBugsNotOutcomes() {
        WindowBalance pool = window(1, BudgetKey.shared("p", Period.DAILY), "1", "0", "0.5");
        assertThrows(LedgerInvariantViolation.class, () -> pool.releaseHold(Money.of("0.6")));
        assertThrows(LedgerInvariantViolation.class, () -> pool.hold(Money.of("0.6")));
        assertThrows(LedgerInvariantViolation.class,
                () -> window(2, BudgetKey.org(Period.DAILY), "1", "-1", "0"));
    }

    @Test
    void keysHaveTheSeedsFormat() {
        assertEquals("shared:engineering-pool:daily", BudgetKey.shared("engineering-pool", Period.DAILY).toString());
        assertEquals("org:monthly", BudgetKey.org(Period.MONTHLY).toString());
        assertEquals("agent:research-bot:total", BudgetKey.agent("research-bot", Period.TOTAL).toString());
    }
}
