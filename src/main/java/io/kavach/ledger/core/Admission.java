package io.kavach.ledger.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admission and exhaustion rules over all applicable windows: the most restrictive limit
 * always wins, and when several budgets bind, the org's is named first, then a pool's, then the
 * agent's own (the order of {@link Scope}), the tightest first within a scope (docs/contract.md,
 * "Invariants" 1 and 7).
 */
public final class Admission {

    public static final Comparator<WindowBalance> PRECEDENCE = Comparator
            .comparing((WindowBalance w) -> w.budget().scope())
            .thenComparing(WindowBalance::remaining)
            .thenComparing(w -> w.budget().key().toString());

    private Admission() {
    }

    /** The window that refuses {@code usage}, if any; empty means the hold fits in every window. */
    public static Optional<WindowBalance> refusal(List<WindowBalance> windows, Usage usage) {
        return windows.stream().filter(w -> !w.fits(usage.in(w.budget()))).min(PRECEDENCE);
    }

    /**
     * The budget a client runs into first: the least remaining, ties named by precedence (org,
     * pool, agent, then key). Empty when no budget applies.
     */
    public static Optional<BudgetState> tightest(List<BudgetState> budgets) {
        Comparator<BudgetState> leastLeft = Comparator.comparing(BudgetState::remaining)
                .thenComparing((BudgetState b) -> b.key().scope())
                .thenComparing(b -> b.key().toString());
        // Amounts compare only within a unit (ADR 0015): the least left of each unit, then, across
        // units, the one with the smallest share of its limit left.
        Map<BudgetType, BudgetState> perUnit = new EnumMap<>(BudgetType.class);
        budgets.forEach(b -> perUnit.merge(b.key().type(), b, (x, y) -> leastLeft.compare(x, y) <= 0 ? x : y));
        return perUnit.values().stream().min(Comparator.comparing(Admission::shareLeft).thenComparing(leastLeft));
    }

    /** {@code remaining / limit}: how much of its limit a budget has left, whatever its unit. */
    private static BigDecimal shareLeft(BudgetState budget) {
        return budget.remaining().value().divide(budget.limit().value(), 9, RoundingMode.FLOOR);
    }

    /** Every exhausted window ({@code remaining <= 0}), in precedence order. */
    public static List<WindowBalance> exhausted(List<WindowBalance> windows) {
        return windows.stream().filter(WindowBalance::exhausted).sorted(PRECEDENCE).toList();
    }
}
