package io.kavach.ledger.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.Config;

/**
 * Checks, before the service starts, that its PostgreSQL answers, so that a missing database
 * is one clear line on stderr instead of a Flyway stack trace. Runs from the entry point in dev
 * mode and for the packaged jar; tests start the application without it.
 */
public final class DatabasePreflight {

    static final int TIMEOUT_SECONDS = 10;
    private static final String HOW = "Start PostgreSQL, or point the service at one with QUARKUS_DATASOURCE_JDBC_URL"
            + " (and QUARKUS_DATASOURCE_USERNAME / QUARKUS_DATASOURCE_PASSWORD).";

    private DatabasePreflight() {
    }

    /** Why the service cannot reach its database, or empty when it can. */
    public static Optional<String> problem(Config config) {
        Optional<String> url = config.getOptionalValue("quarkus.datasource.jdbc.url", String.class);
        if (url.isEmpty() || url.get().isBlank()) {
            return Optional.of("kavach-ledger cannot start: no database is configured. " + HOW);
        }
        Properties properties = new Properties();
        config.getOptionalValue("quarkus.datasource.username", String.class)
                .ifPresent(user -> properties.setProperty("user", user));
        config.getOptionalValue("quarkus.datasource.password", String.class)
                .ifPresent(password -> properties.setProperty("password", password));
        properties.setProperty("connectTimeout", Integer.toString(TIMEOUT_SECONDS));
        properties.setProperty("loginTimeout", Integer.toString(TIMEOUT_SECONDS));
        try (Connection connection = new org.postgresql.Driver().connect(url.get(), properties)) {
            if (connection == null) {
                return Optional.of("kavach-ledger cannot start: " + url.get()
                        + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database). " + HOW);
            }
            return Optional.empty();
        } catch (SQLException e) {
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            return Optional.of("kavach-ledger cannot start: PostgreSQL at " + url.get() + " is not reachable ("
                    + reason + "). " + HOW);
        }
    }
}
