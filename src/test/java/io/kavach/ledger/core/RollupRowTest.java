package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Rollup rows are written, and so locked, in sort-key order: the order must not change between versions. */
class RollupRowTest {

    private static RollupRow row(long agentId, String provider) {
        return new RollupRow("acme", UUID.fromString("00000000-0000-0000-0000-00000000002a"), LocalDate.of(2026, 11, 30),
                agentId, provider, "gpt-4o", Money.of(new java.math.BigDecimal("1.5")), 10, 20, 1);
    }

    @Test
    void theKeyIsTheOneEarlierVersionsBuiltWithFormat() {
        for (long agentId : new long[] {1, 9, 10, 123_456_789, Long.MAX_VALUE}) {
            RollupRow row = row(agentId, "openai");
            String earlier = String.join("\u001f", row.orgId(), row.budgetId().toString(), row.day().toString(),
                    String.format("%020d", agentId), row.provider(), row.model());
            assertEquals(earlier, row.sortKey());
        }
    }

    @Test
    void agentsSortByTheirNumberAndAMissingProviderIsEmpty() {
        assertTrue(row(9, "openai").sortKey().compareTo(row(10, "openai").sortKey()) < 0);
        assertTrue(row(10, null).sortKey().compareTo(row(10, "anthropic").sortKey()) < 0);
    }
}
