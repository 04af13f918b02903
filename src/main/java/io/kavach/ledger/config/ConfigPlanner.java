package io.kavach.ledger.config;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Compares a desired set of budgets with the live ones and lists the changes that make them
 * equal. A budget whose key (scope, name, period) is in both is updated in place — it keeps its
 * id and its window counters — and only when its limit, members or time zone differ.
 */
public final class ConfigPlanner {

    /** A live budget: its id, what it is now and who owns it. */
    public record Current(UUID id, BudgetSpec spec, BudgetOwner owner) {

        /** A config-owned budget. */
        public Current(UUID id, BudgetSpec spec) {
            this(id, spec, BudgetOwner.CONFIG);
        }
    }

    /**
     * A config file's plan: the changes, and the live budgets another writer owns that the file
     * does not mention (left alone; listed so the operator sees them).
     */
    public record ConfigPlan(List<BudgetChange> changes, List<BudgetKey> unmanaged) {
    }

    /**
     * The plan of a config file (ADR 0008): creates and updates what it mentions, adopts what it
     * mentions that another writer owned, removes config-owned budgets it no longer mentions and,
     * with {@code pruneAll}, every other budget it does not mention too.
     */
    public static ConfigPlan planConfig(Map<BudgetKey, BudgetSpec> desired, Map<BudgetKey, Current> current,
                                        boolean pruneAll) {
        List<BudgetChange> changes = new ArrayList<>();
        List<BudgetKey> unmanaged = new ArrayList<>();
        for (Map.Entry<BudgetKey, Current> live : current.entrySet()) {
            BudgetKey key = live.getKey();
            BudgetSpec wanted = desired.get(key);
            Current now = live.getValue();
            if (wanted == null) {
                if (now.owner() == BudgetOwner.CONFIG || pruneAll) {
                    changes.add(new BudgetChange(BudgetChange.Action.DELETE, key, now.id(), now.spec(), null));
                } else {
                    unmanaged.add(key);
                }
            } else if (now.owner() != BudgetOwner.CONFIG) {
                changes.add(new BudgetChange(BudgetChange.Action.ADOPT, key, now.id(), now.spec(), wanted));
            } else if (!sameDefinition(now.spec(), wanted)) {
                changes.add(new BudgetChange(BudgetChange.Action.UPDATE, key, now.id(), now.spec(), wanted));
            }
        }
        for (Map.Entry<BudgetKey, BudgetSpec> wanted : desired.entrySet()) {
            if (!current.containsKey(wanted.getKey())) {
                changes.add(new BudgetChange(BudgetChange.Action.CREATE, wanted.getKey(), null, null, wanted.getValue()));
            }
        }
        changes.sort(ORDER);
        unmanaged.sort(KEY_ORDER);
        return new ConfigPlan(changes, unmanaged);
    }

    /** Org, shared, agent, then name, then period: stable and readable. */
    public static final Comparator<BudgetKey> KEY_ORDER = Comparator.comparing(BudgetKey::scope)
            .thenComparing(k -> Objects.requireNonNullElse(k.name(), ""))
            .thenComparing(BudgetKey::period, Comparator.comparing(Period::ordinal));

    /** Apply order, then {@link #KEY_ORDER}. */
    public static final Comparator<BudgetChange> ORDER = Comparator.comparing(BudgetChange::action)
            .thenComparing(BudgetChange::key, KEY_ORDER);

    private ConfigPlanner() {
    }

    /**
     * The changes within {@code managed} (the keys this plan is responsible for: the whole org
     * for a config file, one agent's own budgets for PUT /v1/agents/{name}/budgets).
     */
    public static List<BudgetChange> plan(Map<BudgetKey, BudgetSpec> desired, Map<BudgetKey, Current> current,
                                          Predicate<BudgetKey> managed) {
        List<BudgetChange> changes = new ArrayList<>();
        for (Map.Entry<BudgetKey, Current> live : current.entrySet()) {
            BudgetKey key = live.getKey();
            if (!managed.test(key)) {
                continue;
            }
            BudgetSpec wanted = desired.get(key);
            BudgetSpec now = live.getValue().spec();
            if (wanted == null) {
                changes.add(new BudgetChange(BudgetChange.Action.DELETE, key, live.getValue().id(), now, null));
            } else if (!sameDefinition(now, wanted)) {
                changes.add(new BudgetChange(BudgetChange.Action.UPDATE, key, live.getValue().id(), now, wanted));
            }
        }
        for (Map.Entry<BudgetKey, BudgetSpec> wanted : desired.entrySet()) {
            if (managed.test(wanted.getKey()) && !current.containsKey(wanted.getKey())) {
                changes.add(new BudgetChange(BudgetChange.Action.CREATE, wanted.getKey(), null, null, wanted.getValue()));
            }
        }
        changes.sort(ORDER);
        return changes;
    }

    /** Every key of the org: what a config file manages. */
    public static Predicate<BudgetKey> wholeOrg() {
        return key -> true;
    }

    /** One agent's own budgets. */
    public static Predicate<BudgetKey> ownBudgetsOf(String agent) {
        return key -> key.scope() == Scope.AGENT && agent.equals(key.name());
    }

    private static boolean sameDefinition(BudgetSpec a, BudgetSpec b) {
        return a.limit().equals(b.limit()) && Objects.equals(a.agents(), b.agents()) && a.timezone().equals(b.timezone());
    }
}
