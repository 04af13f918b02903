package io.kavach.ledger.store;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/** JDBC conversions used by the stores: UTC timestamps and PostgreSQL arrays. */
final class Sql {

    private Sql() {
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            statement.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet row, String column) throws SQLException {
        OffsetDateTime value = row.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static Array longs(Connection connection, Collection<Long> values) throws SQLException {
        return connection.createArrayOf("bigint", values.toArray(Long[]::new));
    }

    static Array uuids(Connection connection, Collection<UUID> values) throws SQLException {
        return connection.createArrayOf("uuid", values.toArray(UUID[]::new));
    }

    static Array texts(Connection connection, Collection<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray(String[]::new));
    }

    static Array decimals(Connection connection, Collection<BigDecimal> values) throws SQLException {
        return connection.createArrayOf("numeric", values.toArray(BigDecimal[]::new));
    }

    /** Timestamps travel as ISO-8601 text and are cast in SQL, so no JVM time zone is involved. */
    static Array instants(Connection connection, Collection<Instant> values) throws SQLException {
        return connection.createArrayOf("text", values.stream().map(i -> i == null ? null : i.toString()).toArray(String[]::new));
    }

    static Long[] longArray(ResultSet row, String column) throws SQLException {
        Array array = row.getArray(column);
        return array == null ? new Long[0] : (Long[]) array.getArray();
    }

    /** A PostgreSQL array literal of ids ({@code {1,2,3}}), for a text array cast to bigint[] in SQL. */
    static String arrayLiteral(List<Long> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
    }
}
