package io.kavach.ledger.api;

import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.TimeZones;
import java.time.ZoneId;

/** {@code budget_type}: defaults to {@code cost}, the only type for now (token and request budgets are planned). */
final class BudgetTypes {

    private static final RequestReader.Text ZONE_TEXT = new RequestReader.Text(TimeZones.MAX_LENGTH, false);

    private BudgetTypes() {
    }

    static String read(RequestReader request) {
        String type = request.oneOf("budget_type", RequestReader.Presence.OPTIONAL, java.util.Set.of(BudgetState.COST));
        return type == null ? BudgetState.COST : type;
    }

    /**
     * {@code timezone}: the IANA zone the budget's windows follow (ADR 0014), UTC when absent. A
     * zone the tz database does not know is listed in the 422; a total budget, which never resets,
     * takes none but UTC.
     */
    static ZoneId timezone(RequestReader request, Period period) {
        String id = request.text("timezone", RequestReader.Presence.OPTIONAL, ZONE_TEXT);
        if (id == null) {
            return TimeZones.UTC;
        }
        ZoneId zone = TimeZones.parse(id).orElse(null);
        if (zone == null) {
            request.error("timezone", "unknown time zone " + id + ": " + TimeZones.RULE);
            return TimeZones.UTC;
        }
        if (period == Period.TOTAL && !zone.equals(TimeZones.UTC)) {
            request.error("timezone", "a total budget never resets, so it takes no time zone (only UTC)");
        }
        return zone;
    }

    /**
     * {@code count_from} of a budget being created: {@code period_start} (the default: the new
     * budget counts the spend its scope already booked in the current period) or {@code now}.
     * True for {@code now}.
     */
    static boolean countFromNow(RequestReader request) {
        return "now".equals(request.oneOf("count_from", RequestReader.Presence.OPTIONAL,
                java.util.Set.of("period_start", "now")));
    }
}
