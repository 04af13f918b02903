package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Rollup rows are written, and so locked, in {@link RollupRow#ORDER}: it must stay the order of
 * the text key earlier versions sorted by, or instances of two versions could lock rows in
 * opposite orders.
 */
class RollupRowTest {

    /** The key earlier versions built and sorted by. */
    private static String earlierKey(RollupRow row) {
        return String.join("\u001f", row.orgId(), row.budgetId().toString(), row.day().toString(),
                String.format("%020d", row.agentId()), row.provider(), row.model());
    }

    private static RollupRow row(String org, UUID budget, LocalDate day, long agentId, String provider, String model) {
        return new RollupRow(org, budget, day, agentId, provider, model, Money.of(new BigDecimal("1.5")), 10, 20, 1);
    }

    @Test
    void theOrderIsTheOrderOfTheEarlierTextKey() {
        Random random = new Random(20261130);
        List<String> orgs = List.of("acme", "acme-2", "acm", "b", "Acme", "acme.x");
        List<String> labels = List.of("", "openai", "open", "openai-x", "Open", "gpt-4o", "gpt-4o-mini", "é", "z");
        List<UUID> budgets = List.of(RollupRow.ALL_SPEND, UUID.fromString("00000000-0000-0000-0000-00000000002a"),
                UUID.fromString("ffffffff-0000-0000-0000-000000000000"), UUID.fromString("7fffffff-ffff-ffff-ffff-ffffffffffff"),
                UUID.fromString("80000000-0000-0000-8000-000000000000"), UUID.randomUUID(), UUID.randomUUID());
        for (int i = 0; i < 50_000; i++) {
            RollupRow a = row(orgs.get(random.nextInt(orgs.size())), budgets.get(random.nextInt(budgets.size())),
                    LocalDate.of(2026, 1, 1).plusDays(random.nextInt(400)), 1 + random.nextInt(3) * (long) random.nextInt(1_000_000),
                    labels.get(random.nextInt(labels.size())), labels.get(random.nextInt(labels.size())));
            RollupRow b = random.nextInt(5) == 0 ? a : row(orgs.get(random.nextInt(orgs.size())),
                    budgets.get(random.nextInt(budgets.size())), LocalDate.of(2026, 1, 1).plusDays(random.nextInt(400)),
                    1 + random.nextInt(3) * (long) random.nextInt(1_000_000), labels.get(random.nextInt(labels.size())),
                    labels.get(random.nextInt(labels.size())));
            assertEquals(Integer.signum(earlierKey(a).compareTo(earlierKey(b))), Integer.signum(RollupRow.ORDER.compare(a, b)),
                    a + " vs " + b);
        }
    }

    @Test
    void agentsSortByTheirNumberAndAMissingProviderIsEmpty() {
        UUID budget = UUID.fromString("00000000-0000-0000-0000-00000000002a");
        LocalDate day = LocalDate.of(2026, 11, 30);
        assertTrue(RollupRow.ORDER.compare(row("acme", budget, day, 9, "openai", "m"), row("acme", budget, day, 10, "openai", "m")) < 0);
        assertTrue(RollupRow.ORDER.compare(row("acme", budget, day, 10, null, "m"), row("acme", budget, day, 10, "anthropic", "m")) < 0);
    }
}
