package io.kavach.ledger.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * One connection attempt to a PostgreSQL, outside the application's pool: how the dev database
 * is chosen and how start-up says plainly that the database is missing (ADR 0009).
 */
public record PostgresProbe(Result result, String reason) {

    public enum Result {
        /** A PostgreSQL accepted the connection. */
        ANSWERS,
        /** The URL is not a PostgreSQL JDBC URL. */
        NOT_POSTGRES_URL,
        /** Nothing accepted the connection; {@code reason} says what the driver said. */
        UNREACHABLE
    }

    /** Connects to {@code url} as {@code properties} say (user, password), waiting at most {@code timeoutSeconds}. */
    public static PostgresProbe connect(String url, Properties properties, int timeoutSeconds) {
        Properties withTimeouts = new Properties();
        withTimeouts.putAll(properties);
        withTimeouts.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        withTimeouts.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        try (Connection connection = new Driver().connect(url, withTimeouts)) {
            if (connection == null) {
                return new PostgresProbe(Result.NOT_POSTGRES_URL, "not a PostgreSQL JDBC URL");
            }
            return connection.isValid(timeoutSeconds) ? new PostgresProbe(Result.ANSWERS, "")
                    : new PostgresProbe(Result.UNREACHABLE, "the connection is not valid");
        } catch (SQLException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            return new PostgresProbe(Result.UNREACHABLE, reason);
        }
    }
}
