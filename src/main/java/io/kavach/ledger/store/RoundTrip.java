package io.kavach.ledger.store;

import io.agroal.api.AgroalDataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements that travel to PostgreSQL together: they are sent as one prepared statement of
 * several, which the driver sends with a single sync, so the whole list costs one network round
 * trip — one write, one wait and one wake-up of the calling thread — instead of one each. On the
 * spend path a round trip costs the service more CPU than most statements' own work
 * (docs/benchmarks.md), so a ledger batch groups its independent statements into a few trips.
 *
 * <p>PostgreSQL runs the statements in the order they were added, in the caller's transaction:
 * the lock order of {@link LedgerStore} is the order of the calls that add them. The first failure
 * stops the rest (nothing after it runs) and {@link #run()} throws it as a {@link StoreException}
 * carrying the SQLState, as a single statement would. Each statement's result is read from its
 * {@link Result} once the trip has run. A statement only ever depends on the trip's inputs, never
 * on an earlier statement's result: what needs a result goes in the next trip.
 */
public final class RoundTrip {

    private final AgroalDataSource dataSource;
    private final List<Step<?>> steps = new ArrayList<>();
    private boolean ran;

    RoundTrip(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Sets one statement's parameters, numbered from 1 within that statement. */
    @FunctionalInterface
    interface Binder {
        void bind(Parameters parameters) throws SQLException;
    }

    /** Reads one statement's rows. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet rows) throws SQLException;
    }

    /** A statement's result; {@link #get()} once the round trip has run. */
    public static final class Result<T> {
        private T value;
        private boolean set;

        private Result() {
        }

        /** A result known without asking the database (the statement was not needed). */
        static <T> Result<T> of(T value) {
            Result<T> result = new Result<>();
            result.complete(value);
            return result;
        }

        private void complete(T value) {
            this.value = value;
            this.set = true;
        }

        public T get() {
            if (!set) {
                throw new IllegalStateException("the round trip of this result has not run");
            }
            return value;
        }
    }

    /** One statement's parameters, at its offset in the combined statement. */
    static final class Parameters {
        private final Connection connection;
        private final PreparedStatement statement;
        private final int offset;

        private Parameters(Connection connection, PreparedStatement statement, int offset) {
            this.connection = connection;
            this.statement = statement;
            this.offset = offset;
        }

        Connection connection() {
            return connection;
        }

        void setString(int index, String value) throws SQLException {
            statement.setString(offset + index, value);
        }

        void setLong(int index, long value) throws SQLException {
            statement.setLong(offset + index, value);
        }

        void setInt(int index, int value) throws SQLException {
            statement.setInt(offset + index, value);
        }

        void setArray(int index, Array value) throws SQLException {
            statement.setArray(offset + index, value);
        }

        void setInstant(int index, Instant value) throws SQLException {
            Sql.setInstant(statement, offset + index, value);
        }
    }

    private record Step<T>(String sql, int parameters, Binder binder, Reader<T> reader, Result<T> result) {
    }

    /** Adds a statement that returns rows (a SELECT, or a write with RETURNING). */
    <T> Result<T> query(String sql, Binder binder, Reader<T> reader) {
        if (ran) {
            throw new IllegalStateException("this round trip has run");
        }
        Result<T> result = new Result<>();
        steps.add(new Step<>(sql, placeholders(sql), binder, reader, result));
        return result;
    }

    /** Adds a statement that returns a row count (an INSERT, UPDATE or DELETE without RETURNING). */
    Result<Integer> update(String sql, Binder binder) {
        return query(sql, binder, null);
    }

    /** Sends every statement added, in one round trip, on the transaction's connection. */
    public void run() {
        if (ran) {
            throw new IllegalStateException("this round trip has run");
        }
        ran = true;
        if (steps.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        for (Step<?> step : steps) {
            sql.append(sql.isEmpty() ? "" : ";\n").append(step.sql());
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            int offset = 0;
            for (Step<?> step : steps) {
                step.binder().bind(new Parameters(connection, statement, offset));
                offset += step.parameters();
            }
            boolean rows = statement.execute();
            for (Step<?> step : steps) {
                read(statement, rows, step);
                rows = statement.getMoreResults();
            }
        } catch (SQLException e) {
            throw new StoreException("round trip of " + steps.size() + " statements failed", e);
        }
    }

    private static <T> void read(PreparedStatement statement, boolean rows, Step<T> step) throws SQLException {
        if (step.reader() == null) {
            if (rows) {
                throw new IllegalStateException("an update returned rows: " + step.sql());
            }
            @SuppressWarnings("unchecked")
            T count = (T) Integer.valueOf(statement.getUpdateCount());
            step.result().complete(count);
            return;
        }
        if (!rows) {
            throw new IllegalStateException("a query returned no rows: " + step.sql());
        }
        try (ResultSet resultSet = statement.getResultSet()) {
            step.result().complete(step.reader().read(resultSet));
        }
    }

    /** The JDBC placeholders of one statement: every {@code ?} outside quotes (no statement here uses ? operators). */
    static int placeholders(String sql) {
        int count = 0;
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (c == '?' && !quoted) {
                count++;
            }
        }
        return count;
    }
}
