package io.kavach.ledger.api;

import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.TimeZones;
import java.time.ZoneId;
import java.util.Set;

/**
 * The fields that say what a budget is, read alike by every budget endpoint: {@code budget_type}
 * (default {@code cost}), the {@code model} / {@code provider} filters (ADR 0015), the
 * {@code timezone} (ADR 0014) and {@code count_from}.
 */
final class BudgetTypes {

    private static final RequestReader.Text ZONE_TEXT = new RequestReader.Text(TimeZones.MAX_LENGTH, false);
    /** A model or provider name as the SDK reports it; a filter must name one. */
    private static final RequestReader.Text FILTER_TEXT = new RequestReader.Text(256, false);

    private BudgetTypes() {
    }

    /** What a budget counts and which use: its type and filters (null: all use). */
    record Kind(BudgetType type, String model, String provider) {
        BudgetKey of(BudgetKey base) {
            return base.typed(type, model, provider);
        }
    }

    static Kind kind(RequestReader request) {
        String type = request.oneOf("budget_type", RequestReader.Presence.OPTIONAL, Set.copyOf(BudgetType.wireNames()));
        String model = request.text("model", RequestReader.Presence.OPTIONAL, FILTER_TEXT);
        String provider = request.text("provider", RequestReader.Presence.OPTIONAL, FILTER_TEXT);
        return new Kind(type == null ? BudgetType.COST : BudgetType.fromWire(type).orElseThrow(), model, provider);
    }

    /**
     * {@code limit_value} of a budget of {@code kind}: USD for cost; a whole number of tokens or
     * requests for the other types.
     */
    static Money limit(RequestReader request, Kind kind) {
        Money limit = request.money("limit_value", RequestReader.Presence.REQUIRED, RequestReader.Amount.POSITIVE);
        if (limit != null && kind.type().counts() && limit.value().stripTrailingZeros().scale() > 0) {
            request.error("limit_value", "must be a whole number of " + kind.type().wireName() + " for a "
                    + kind.type().wireName() + " budget");
            return null;
        }
        return limit;
    }

    /** {@code budget_type} where only cost budgets are meant (the SDK's sync-config org budget). */
    static void costOnly(RequestReader request) {
        request.oneOf("budget_type", RequestReader.Presence.OPTIONAL, Set.of(BudgetType.COST.wireName()));
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
