package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.SpendAnalytics.Dimension;
import io.kavach.ledger.core.SpendAnalytics.Page;
import io.kavach.ledger.core.SpendAnalytics.Refusal;
import io.kavach.ledger.core.SpendAnalytics.Row;
import io.kavach.ledger.core.SpendAnalytics.Totals;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Reads spend analytics from the daily rollup ({@code spend_daily}, ADR 0010) and the refusal log.
 * Grouping columns come from a fixed set, never from client text.
 */
@ApplicationScoped
public class SpendAnalyticsStore {

    private static final String ALL_SPEND = "'00000000-0000-0000-0000-000000000000'::uuid";
    private static final String TOTAL = "SELECT coalesce(sum(cost), 0), coalesce(sum(input_tokens), 0), "
            + "coalesce(sum(output_tokens), 0), coalesce(sum(calls), 0) FROM spend_daily "
            + "WHERE org_id = ? AND budget_id = " + ALL_SPEND + " AND day >= ? AND day < ?";
    private static final String REFUSALS = """
            SELECT a.name, r.kind, r.reason, r.budget_key, r.first_at, r.last_at, r.count
              FROM refusal r JOIN agent a ON a.id = r.agent_id
             WHERE r.org_id = ?
             ORDER BY r.last_at DESC, a.name, r.kind, r.reason, r.budget_key
             LIMIT ?
            """;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Spend booked on UTC days {@code [from, to)}, grouped by {@code groupBy}, rows {@code offset}
     * to {@code offset + limit} in the dimensions' order. The total is always of all spend in the
     * range; with {@code BUDGET}, a booking counts once per budget it was booked into.
     */
    public Page spend(String orgId, LocalDate from, LocalDate to, Set<Dimension> groupBy, int limit, int offset) {
        EnumSet<Dimension> dims = groupBy.isEmpty() ? EnumSet.noneOf(Dimension.class) : EnumSet.copyOf(groupBy);
        String sql = spendQuery(dims);
        try (Connection connection = dataSource.getConnection()) {
            List<Row> rows = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(sql)) {
                query.setString(1, orgId);
                query.setObject(2, from);
                query.setObject(3, to);
                query.setInt(4, limit + 1);
                query.setInt(5, offset);
                try (ResultSet row = query.executeQuery()) {
                    while (row.next()) {
                        rows.add(row(row, dims));
                    }
                }
            }
            boolean hasMore = rows.size() > limit;
            if (hasMore) {
                rows = rows.subList(0, limit);
            }
            Totals total = total(connection, orgId, from, to);
            if (dims.isEmpty() && offset == 0 && !rows.isEmpty() && rows.get(0).totals().calls() == 0) {
                rows = List.of(); // no spend at all: no group, not a group of zeros
            }
            return new Page(List.copyOf(rows), total, hasMore);
        } catch (SQLException e) {
            throw new StoreException("spend analytics", e);
        }
    }

    /** The grouped query for {@code dims}: their columns, the joins they need, grouped and ordered by them. */
    private static String spendQuery(EnumSet<Dimension> dims) {
        List<String> select = new ArrayList<>();
        List<String> group = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (Dimension d : dims) {
            switch (d) {
                case DAY -> {
                    select.add("d.day");
                    group.add("d.day");
                    order.add("d.day");
                }
                case AGENT -> {
                    select.add("a.name AS agent");
                    group.add("a.name");
                    order.add("a.name");
                }
                case PROVIDER -> {
                    select.add("d.provider");
                    group.add("d.provider");
                    order.add("d.provider");
                }
                case MODEL -> {
                    select.add("d.model");
                    group.add("d.model");
                    order.add("d.model");
                }
                case BUDGET -> {
                    select.add("d.budget_id, b.scope, b.name AS budget_name, b.period");
                    group.add("d.budget_id, b.scope, b.name, b.period");
                    order.add("b.scope, b.name, b.period, d.budget_id");
                }
            }
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        select.forEach(s -> sql.append(s).append(", "));
        sql.append("sum(d.cost) AS cost, sum(d.input_tokens) AS input_tokens, sum(d.output_tokens) AS output_tokens, ")
                .append("sum(d.calls) AS calls FROM spend_daily d");
        if (dims.contains(Dimension.AGENT)) {
            sql.append(" JOIN agent a ON a.id = d.agent_id");
        }
        if (dims.contains(Dimension.BUDGET)) {
            sql.append(" JOIN budget b ON b.id = d.budget_id");
        }
        sql.append(" WHERE d.org_id = ? AND d.budget_id ")
                .append(dims.contains(Dimension.BUDGET) ? "<> " : "= ").append(ALL_SPEND)
                .append(" AND d.day >= ? AND d.day < ?");
        if (!group.isEmpty()) {
            sql.append(" GROUP BY ").append(String.join(", ", group));
            sql.append(" ORDER BY ").append(String.join(", ", order));
        }
        sql.append(" LIMIT ? OFFSET ?");
        return sql.toString();
    }

    /** All spend on the days {@code [from, to)}, whatever the grouping. */
    private static Totals total(Connection connection, String orgId, LocalDate from, LocalDate to) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(TOTAL)) {
            query.setString(1, orgId);
            query.setObject(2, from);
            query.setObject(3, to);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Totals(Money.of(row.getBigDecimal(1)), row.getLong(2), row.getLong(3), row.getLong(4));
            }
        }
    }

    /** The org's most recently refused (agent, kind, reason, budget) combinations, newest first. */
    public List<Refusal> recentRefusals(String orgId, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(REFUSALS)) {
            query.setString(1, orgId);
            query.setInt(2, limit);
            List<Refusal> found = new ArrayList<>();
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    String key = row.getString(4);
                    found.add(new Refusal(row.getString(1), row.getString(2), row.getString(3),
                            key.isEmpty() ? null : key, Sql.getInstant(row, "first_at"),
                            Sql.getInstant(row, "last_at"), row.getLong(7)));
                }
            }
            return found;
        } catch (SQLException e) {
            throw new StoreException("refusal log", e);
        }
    }

    private static Row row(ResultSet row, Set<Dimension> dims) throws SQLException {
        LocalDate day = dims.contains(Dimension.DAY) ? row.getObject("day", LocalDate.class) : null;
        String agent = dims.contains(Dimension.AGENT) ? row.getString("agent") : null;
        String provider = dims.contains(Dimension.PROVIDER) ? emptyToNull(row.getString("provider")) : null;
        String model = dims.contains(Dimension.MODEL) ? emptyToNull(row.getString("model")) : null;
        UUID budgetId = null;
        BudgetKey budget = null;
        if (dims.contains(Dimension.BUDGET)) {
            budgetId = row.getObject("budget_id", UUID.class);
            Scope scope = Scope.fromWire(row.getString("scope")).orElseThrow();
            budget = new BudgetKey(scope, scope == Scope.ORG ? null : row.getString("budget_name"),
                    Period.fromWire(row.getString("period")).orElseThrow());
        }
        BigDecimal cost = row.getBigDecimal("cost");
        return new Row(day, agent, provider, model, budgetId, budget, new Totals(
                Money.of(cost == null ? BigDecimal.ZERO : cost), row.getLong("input_tokens"),
                row.getLong("output_tokens"), row.getLong("calls")));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
