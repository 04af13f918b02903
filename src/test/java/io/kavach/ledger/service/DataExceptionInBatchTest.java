package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.store.SqlFailures;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * A command PostgreSQL refuses (SQLState class 22, here a NUL in text that validation would have
 * stopped at the API) fails alone; its batch-mates of several orgs commit, in a handful of
 * transactions rather than one each.
 */
@QuarkusTest
class DataExceptionInBatchTest {

    @Inject
    LedgerBatcher batcher;
    @Inject
    MeterRegistry metrics;
    @Inject
    AuditService audits;

    @Test
    void aCommandThePostgresRefusesFailsAloneAndItsBatchMatesCommitInFewTransactions() throws Exception {
        List<String> orgs = List.of(Tokens.newOrg(), Tokens.newOrg(), Tokens.newOrg());
        orgs.forEach(org -> Fixtures.orgBudget(org, "daily", "100"));
        List<LedgerCommand> commands = new ArrayList<>();
        int bad = 17;
        for (int i = 0; i < 32; i++) {
            String org = orgs.get(i % orgs.size());
            commands.add(new LedgerCommand.Reserve(org, "bot", Money.of("0.01"), 300, "k-" + i, "openai",
                    i == bad ? "gpt\u0000" : "gpt-4o", null));
        }
        double transactionsBefore = transactions();
        List<CompletableFuture<LedgerOutcome>> answers = batcher.applyTogether(commands);
        double transactions = transactions() - transactionsBefore;

        for (int i = 0; i < commands.size(); i++) {
            if (i == bad) {
                ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        answers.get(i)::get);
                assertTrue(SqlFailures.isDataException(failure.getCause()), failure.getCause().toString());
            } else {
                assertInstanceOf(LedgerOutcome.Held.class, answers.get(i).get(), "command " + i);
            }
        }
        // One failed batch of 32, then halves down to the bad one: at most 1 + 2 * log2(32) = 11, never 33.
        System.out.printf("[DataExceptionInBatchTest] 32 commands, one refused by PostgreSQL: %.0f transactions%n",
                transactions);
        assertTrue(transactions <= 11, transactions + " transactions");
        for (String org : orgs) {
            assertEquals(List.of(), audits.audit(org).drift());
        }
        assertEquals(31, Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id IN (?, ?, ?)",
                orgs.get(0), orgs.get(1), orgs.get(2)));
    }

    private double transactions() {
        var summary = metrics.find("kavach.ledger.batch.size").summary();
        return summary == null ? 0 : summary.count();
    }
}
