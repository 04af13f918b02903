package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.security.ApiKeys;
import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ADR 0004: unchecked API keys are checked in the batch's transaction; only revoked ones are refused. */
@QuarkusTest
class KeyCheckInBatchTest {

    @Inject
    LedgerBatcher batcher;
    @Inject
    AuditService audits;

    private final String org = Tokens.newOrg();

    @Test
    void aBatchMixingARevokedAndALiveKeyRefusesOnlyTheRevokedOne() throws Exception {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        byte[] live = ApiKeys.hash(Fixtures.apiKey(org));
        byte[] revoked = ApiKeys.hash(Fixtures.apiKey(org));
        Fixtures.execute("UPDATE api_key SET revoked_at = now() WHERE key_hash = ?", (Object) revoked);

        var answers = batcher.applyTogether(List.of(
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, "same-key", null, null, null),
                new LedgerCommand.Reserve(org, "ghost", Money.of("0.5"), 300, null, null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, "same-key", null, null, null),
                new LedgerCommand.Ingest(org, List.of(new LedgerCommand.SpendEvent("ghost", Money.of("0.3"),
                        Instant.now(), "e1", null, null, null, null, null, null, null))),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null),
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null)),
                Arrays.asList(revoked, revoked, live, revoked, live, null));

        assertTrue(answers.get(0).get() instanceof LedgerOutcome.Unauthorized);
        assertTrue(answers.get(1).get() instanceof LedgerOutcome.Unauthorized);
        // The revoked command's idempotency key was not consumed: the live one holds with it.
        assertTrue(answers.get(2).get() instanceof LedgerOutcome.Held, answers.get(2).get().toString());
        assertTrue(answers.get(3).get() instanceof LedgerOutcome.Unauthorized);
        assertTrue(answers.get(4).get() instanceof LedgerOutcome.Held);
        assertTrue(answers.get(5).get() instanceof LedgerOutcome.Refused, "0.4 + 0.4 + 0.4 > 1");

        assertEquals(0, new BigDecimal("0.8").compareTo(Fixtures.queryDecimal(
                "SELECT coalesce(sum(w.reserved), 0) FROM budget_window w JOIN budget b ON b.id = w.budget_id "
                        + "WHERE b.org_id = ?", org)));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM agent WHERE org_id = ? AND name = 'ghost'", org));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM spend_event WHERE org_id = ?", org));
        assertEquals(2, Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id = ?", org));
        assertEquals(List.of(), audits.audit(org).drift());
    }

    @Test
    void aBatchWhoseKeysAreAllRevokedWritesNothing() throws Exception {
        Fixtures.agentBudget(org, "bot", "daily", "1");
        byte[] revoked = ApiKeys.hash(Fixtures.apiKey(org));
        Fixtures.execute("UPDATE api_key SET revoked_at = now() WHERE key_hash = ?", (Object) revoked);
        var answers = batcher.applyTogether(List.of(
                new LedgerCommand.Reserve(org, "bot", Money.of("0.4"), 300, null, null, null, null)),
                Arrays.asList(new byte[][] {revoked}));
        assertTrue(answers.get(0).get() instanceof LedgerOutcome.Unauthorized);
        assertFalse(answers.get(0).isCompletedExceptionally());
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM reservation WHERE org_id = ?", org));
        assertEquals(0, Fixtures.queryLong("SELECT count(*) FROM journal_entry WHERE org_id = ?", org));
    }
}
