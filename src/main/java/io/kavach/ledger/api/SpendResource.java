package io.kavach.ledger.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.SpendAnalytics.Dimension;
import io.kavach.ledger.core.SpendAnalytics.Page;
import io.kavach.ledger.core.SpendAnalytics.Row;
import io.kavach.ledger.core.SpendAnalytics.Totals;
import io.kavach.ledger.security.Caller;
import io.kavach.ledger.security.Roles;
import io.kavach.ledger.service.SpendAnalyticsService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Spend analytics: cost, tokens and calls booked per UTC day, grouped as asked (ADR 0010). */
@Path("/v1/spend")
@Produces(MediaType.APPLICATION_JSON)
public class SpendResource {

    /** Query text longer than this is refused before it is parsed. */
    private static final int PARAMETER_LENGTH_MAX = 64;
    private static final int GROUP_BY_VALUES_MAX = 5;
    /** Days PostgreSQL's date type and the ledger's clock both handle; anything else is a typo. */
    private static final LocalDate DAY_MIN = LocalDate.of(1970, 1, 1);
    private static final LocalDate DAY_MAX = LocalDate.of(9999, 12, 31);

    @Inject
    Caller caller;
    @Inject
    SpendAnalyticsService analytics;
    @Inject
    Clock clock;

    @GET
    @RolesAllowed({Roles.ADMIN, Roles.VIEWER})
    public Map<String, Object> spend(@QueryParam("from") String from, @QueryParam("to") String to,
                                     @QueryParam("group_by") List<String> groupBy, @QueryParam("limit") String limit,
                                     @QueryParam("offset") String offset) {
        List<FieldError> errors = new ArrayList<>();
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        LocalDate end = to == null ? today.plusDays(1) : day("to", to, errors);
        LocalDate start = from == null ? (end == null ? null : end.minusDays(30)) : day("from", from, errors);
        if (start != null && end != null) {
            long days = ChronoUnit.DAYS.between(start, end);
            if (days < 1) {
                errors.add(new FieldError("to", "must be after from (to is exclusive)"));
            } else if (days > SpendAnalyticsService.RANGE_DAYS_MAX) {
                errors.add(new FieldError("to", "the range may cover at most " + SpendAnalyticsService.RANGE_DAYS_MAX
                        + " days; it covers " + days));
            }
        }
        EnumSet<Dimension> dims = EnumSet.noneOf(Dimension.class);
        List<String> values = new ArrayList<>();
        if (groupBy != null) {
            for (String value : groupBy) {
                if (value.length() > PARAMETER_LENGTH_MAX) {
                    values.add(value);
                    continue;
                }
                for (String part : value.split(",", -1)) {
                    values.add(part.strip());
                }
            }
        }
        if (values.size() > GROUP_BY_VALUES_MAX * 2) {
            errors.add(new FieldError("group_by", "at most " + GROUP_BY_VALUES_MAX + " values"));
        } else {
            for (String value : values) {
                Dimension.fromWire(value).ifPresentOrElse(dims::add, () -> errors.add(new FieldError("group_by",
                        "must be one of agent, model, provider, day, budget (got '" + printable(value) + "')")));
            }
        }
        int size = integer("limit", limit, 1, SpendAnalyticsService.PAGE_SIZE_MAX,
                SpendAnalyticsService.PAGE_SIZE_DEFAULT, errors);
        int skip = integer("offset", offset, 0, SpendAnalyticsService.OFFSET_MAX, 0, errors);
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
        Page page = analytics.spend(caller.orgId(), start, end, dims, size, skip);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", start.toString());
        answer.put("to", end.toString());
        answer.put("group_by", dims.stream().map(Dimension::wireName).toList());
        answer.put("rows", page.rows().stream().map(row -> row(row, dims)).toList());
        answer.put("total", totals(JsonNodeFactory.instance.objectNode(), page.total()));
        answer.put("has_more", page.hasMore());
        if (page.hasMore()) {
            answer.put("next_offset", skip + size);
        }
        return answer;
    }

    private static ObjectNode row(Row row, EnumSet<Dimension> dims) {
        // Nulls are written (a call that named no provider or model): a JSON tree keeps them.
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (dims.contains(Dimension.DAY)) {
            out.put("day", row.day().toString());
        }
        if (dims.contains(Dimension.AGENT)) {
            out.put("agent", row.agent());
        }
        if (dims.contains(Dimension.PROVIDER)) {
            out.put("provider", row.provider());
        }
        if (dims.contains(Dimension.MODEL)) {
            out.put("model", row.model());
        }
        if (dims.contains(Dimension.BUDGET)) {
            out.put("budget", row.budget().toString());
            out.put("budget_id", row.budgetId().toString());
        }
        return totals(out, row.totals());
    }

    private static ObjectNode totals(ObjectNode out, Totals totals) {
        out.put("cost", totals.cost().toJsonNumber());
        out.put("input_tokens", totals.inputTokens());
        out.put("output_tokens", totals.outputTokens());
        out.put("calls", totals.calls());
        return out;
    }

    /** A UTC day: {@code 2026-11-28}, or an instant at 00:00 UTC ({@code 2026-11-28T00:00:00Z}). */
    private static LocalDate day(String field, String text, List<FieldError> errors) {
        LocalDate day = parseDay(field, text, errors);
        if (day != null && (day.isBefore(DAY_MIN) || day.isAfter(DAY_MAX))) {
            errors.add(new FieldError(field, "must be a day between " + DAY_MIN + " and " + DAY_MAX));
            return null;
        }
        return day;
    }

    private static LocalDate parseDay(String field, String text, List<FieldError> errors) {
        if (text.length() <= PARAMETER_LENGTH_MAX) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException notADate) {
                try {
                    Instant at = Instant.parse(text);
                    if (at.truncatedTo(ChronoUnit.DAYS).equals(at)) {
                        return LocalDate.ofInstant(at, ZoneOffset.UTC);
                    }
                    errors.add(new FieldError(field, "spend is kept per UTC day: give a date (2026-11-28) or "
                            + "an instant at 00:00:00Z"));
                    return null;
                } catch (DateTimeParseException notAnInstant) {
                    // reported below
                }
            }
        }
        errors.add(new FieldError(field, "must be a UTC date such as 2026-11-28"));
        return null;
    }

    private static int integer(String field, String text, int min, int max, int otherwise, List<FieldError> errors) {
        if (text == null) {
            return otherwise;
        }
        int value;
        try {
            value = text.length() > 10 ? -1 : Integer.parseInt(text);
        } catch (NumberFormatException e) {
            value = min - 1;
        }
        if (value < min || value > max) {
            errors.add(new FieldError(field, "must be an integer between " + min + " and " + max));
            return otherwise;
        }
        return value;
    }

    private static String printable(String value) {
        String shown = value.length() > PARAMETER_LENGTH_MAX ? value.substring(0, PARAMETER_LENGTH_MAX) + "…" : value;
        return shown.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f))
                ? shown : "(control characters)";
    }
}
