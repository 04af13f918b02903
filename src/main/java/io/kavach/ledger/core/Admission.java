package io.kavach.ledger.core;

import java.util.Comparator;
import java.util.List;
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
        return budgets.stream().min(Comparator.comparing(BudgetState::remaining)
                .thenComparing((BudgetState b) -> b.key().scope())
                .thenComparing(b -> b.key().toString()));
    }

    /** Every exhausted window ({@code remaining <= 0}), in precedence order. */
    public static List<WindowBalance> exhausted(List<WindowBalance> windows) {
        return windows.stream().filter(WindowBalance::exhausted).sorted(PRECEDENCE).toList();
    }
}
