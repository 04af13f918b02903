package io.kavach.ledger.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.service.AuditService;
import io.kavach.ledger.service.LedgerProcessor;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Pool membership changes while agents reserve: a change applies to the next reservation, and
 * a hold is always released from exactly the windows it was placed in, whoever is a member now.
 */
@QuarkusTest
class PoolMembershipConcurrencyTest {

    private final String org = Tokens.newOrg();
    private final String admin = Tokens.admin(org);

    @Inject
    LedgerProcessor processor;
    @Inject
    AuditService audits;

    @Test
    void membershipChangesApplyToTheNextReservation() {
        Fixtures.pool(org, "pool", "daily", "1", "x");
        assertTrue(poolKeys(reserve("x")).contains("shared:pool:daily"));
        given().auth().oauth2(admin).delete("/v1/shared-budgets/pool/agents/x").then().statusCode(204);
        assertFalse(poolKeys(reserve("x")).contains("shared:pool:daily"));
        given().auth().oauth2(admin).put("/v1/shared-budgets/pool/agents/x").then().statusCode(204);
        assertTrue(poolKeys(reserve("x")).contains("shared:pool:daily"));
    }

    @Test
    void holdsPlacedWhileMembershipFlapsAreReleasedFromTheirOwnWindows() throws Exception {
        Fixtures.pool(org, "flappy", "daily", "1.00", "x", "y");
        int reservers = 16;
        ExecutorService threads = Executors.newFixedThreadPool(reservers + 1);
        try {
            CyclicBarrier barrier = new CyclicBarrier(reservers + 1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < reservers; t++) {
                String agent = t % 2 == 0 ? "x" : "y";
                futures.add(threads.submit(() -> {
                    barrier.await(30, TimeUnit.SECONDS);
                    int held = 0;
                    for (int i = 0; i < 10; i++) {
                        LedgerOutcome outcome = reserve(agent);
                        if (outcome instanceof LedgerOutcome.Held h) {
                            held++;
                            processor.process(List.of(new LedgerCommand.Release(org, h.reservation().id())));
                        }
                    }
                    return held;
                }));
            }
            futures.add(threads.submit(() -> {
                barrier.await(30, TimeUnit.SECONDS);
                for (int i = 0; i < 20; i++) {
                    given().auth().oauth2(admin).delete("/v1/shared-budgets/flappy/agents/x").then().statusCode(204);
                    given().auth().oauth2(admin).put("/v1/shared-budgets/flappy/agents/x").then().statusCode(204);
                }
                return 0;
            }));
            int held = 0;
            for (Future<Integer> future : futures) {
                held += future.get(120, TimeUnit.SECONDS);
            }
            assertEquals(reservers * 10, held, "0.01 holds released at once always fit in 1.00");
        } finally {
            threads.shutdownNow();
        }
        BigDecimal reserved = Fixtures.queryDecimal("SELECT coalesce(sum(w.reserved), 0) FROM budget_window w "
                + "JOIN budget b ON b.id = w.budget_id WHERE b.org_id = ? AND b.name = 'flappy'", org);
        assertEquals(0, BigDecimal.ZERO.compareTo(reserved), "every hold left the pool it was placed in");
        assertEquals(List.of(), audits.audit(org).drift());
    }

    private LedgerOutcome reserve(String agent) {
        return processor.process(List.of(new LedgerCommand.Reserve(org, agent, Money.of("0.01"), 300, null,
                null, null, null))).get(0);
    }

    private static List<String> poolKeys(LedgerOutcome outcome) {
        return ((LedgerOutcome.Held) outcome).budgets().stream().map(BudgetState::key).map(Object::toString).toList();
    }
}
