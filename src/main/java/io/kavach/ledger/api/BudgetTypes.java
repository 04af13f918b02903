package io.kavach.ledger.api;

import io.kavach.ledger.core.BudgetState;
import java.util.Set;

/** {@code budget_type}: defaults to {@code cost}, the only type for now (token and request budgets are planned). */
final class BudgetTypes {

    private BudgetTypes() {
    }

    static String read(RequestReader request) {
        String type = request.oneOf("budget_type", RequestReader.Presence.OPTIONAL, Set.of(BudgetState.COST));
        return type == null ? BudgetState.COST : type;
    }

    /**
     * {@code count_from} of a budget being created: {@code period_start} (the default: the new
     * budget counts the spend its scope already booked in the current period) or {@code now}.
     * True for {@code now}.
     */
    static boolean countFromNow(RequestReader request) {
        return "now".equals(request.oneOf("count_from", RequestReader.Presence.OPTIONAL,
                Set.of("period_start", "now")));
    }
}
