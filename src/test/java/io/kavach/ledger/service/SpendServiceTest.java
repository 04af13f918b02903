package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Where a spend request's answer is rendered: on the caller's event loop, never on a ledger lane. */
@QuarkusTest
class SpendServiceTest {

    @Inject
    SpendService spend;
    @Inject
    Vertx vertx;

    private final String org = Tokens.newOrg();

    @Test
    void theOutcomeContinuesOnTheCallersContextNotOnTheLedgerLane() throws Exception {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        Context caller = vertx.getOrCreateContext();
        CompletableFuture<String> continuedOn = new CompletableFuture<>();
        CompletableFuture<LedgerOutcome> outcome = new CompletableFuture<>();
        caller.runOnContext(ignored -> spend.submit(
                new LedgerCommand.Reserve(org, "bot", Money.of("0.1"), 300, null, null, null, null), Optional.empty())
                .whenComplete((result, failure) -> {
                    continuedOn.complete(Thread.currentThread().getName()
                            + (Vertx.currentContext() == caller ? " (caller's context)" : ""));
                    if (failure != null) {
                        outcome.completeExceptionally(failure);
                    } else {
                        outcome.complete(result);
                    }
                }));
        assertInstanceOf(LedgerOutcome.Held.class, outcome.get(30, TimeUnit.SECONDS));
        String thread = continuedOn.get(30, TimeUnit.SECONDS);
        assertTrue(thread.startsWith("vert.x-eventloop-thread") && thread.endsWith("(caller's context)"),
                "continued on " + thread);
    }
}
