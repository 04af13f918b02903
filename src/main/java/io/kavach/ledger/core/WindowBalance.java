package io.kavach.ledger.core;

import java.util.Objects;

/**
 * The counters of one budget window, locked for the duration of a ledger transaction. Decisions
 * are made against these in-memory values, in arrival order, and written back once at the end.
 */
public final class WindowBalance {

    private final long windowId;
    private final Budget budget;
    private final Window window;
    private final Money limit;
    /** {@code spent} as read under the lock, before this transaction booked anything (alert firing). */
    private final Money spentAtLock;
    private Money spent;
    private Money reserved;
    private boolean changed;

    public WindowBalance(long windowId, Budget budget, Window window, Money limit, Money spent, Money reserved) {
        this.windowId = windowId;
        this.budget = Objects.requireNonNull(budget, "budget");
        this.window = Objects.requireNonNull(window, "window");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.spent = Objects.requireNonNull(spent, "spent");
        this.spentAtLock = spent;
        this.reserved = Objects.requireNonNull(reserved, "reserved");
        // Invariant, checked as read: counters are never negative.
        LedgerInvariantViolation.check(!spent.isNegative() && !reserved.isNegative(),
                "window %d read with negative counters (spent %s, reserved %s)", windowId, spent, reserved);
    }

    public long windowId() {
        return windowId;
    }

    public Budget budget() {
        return budget;
    }

    public Window window() {
        return window;
    }

    public Money limit() {
        return limit;
    }

    public Money spent() {
        return spent;
    }

    public Money spentAtLock() {
        return spentAtLock;
    }

    public Money reserved() {
        return reserved;
    }

    public boolean changed() {
        return changed;
    }

    public Money remaining() {
        return limit.minus(spent).minus(reserved);
    }

    /**
     * The admission rule: {@code spent + reserved + amount <= limit}. A hold of nothing in this
     * budget's unit (a reservation that states no tokens, under a token budget) fits only while
     * something is left: an exhausted budget refuses every reservation it applies to (ADR 0015).
     */
    public boolean fits(Money amount) {
        if (amount.isZero()) {
            return !exhausted();
        }
        return spent.plus(reserved).plus(amount).compareTo(limit) <= 0;
    }

    public boolean exhausted() {
        return remaining().compareTo(Money.ZERO) <= 0;
    }

    /** Places a hold; callers check {@link #fits} first for every window of the reservation. */
    public void hold(Money amount) {
        LedgerInvariantViolation.check(fits(amount), "hold of %s does not fit window %d", amount, windowId);
        reserved = reserved.plus(amount);
        changed = true;
    }

    /** Frees a hold placed earlier in this window. */
    public void releaseHold(Money amount) {
        Money after = reserved.minus(amount);
        LedgerInvariantViolation.check(!after.isNegative(),
                "releasing %s from window %d would leave reserved negative (%s)", amount, windowId, reserved);
        reserved = after;
        changed = true;
    }

    /** Books real spend, even past the limit: the ledger reflects what was spent. */
    public void book(Money cost) {
        LedgerInvariantViolation.check(!cost.isNegative(), "negative cost %s booked into window %d", cost, windowId);
        spent = spent.plus(cost);
        changed = true;
    }

    public BudgetState state() {
        return new BudgetState(budget.id(), budget.key(), budget.budgetType(), limit, spent, reserved, window, null,
                budget.timezone());
    }
}
