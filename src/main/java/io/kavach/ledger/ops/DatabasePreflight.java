package io.kavach.ledger.ops;

import io.kavach.ledger.store.PostgresProbe;
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
        PostgresProbe probe = PostgresProbe.connect(url.get(), properties, TIMEOUT_SECONDS);
        return switch (probe.result()) {
            case ANSWERS -> Optional.empty();
            case NOT_POSTGRES_URL -> Optional.of("kavach-ledger cannot start: " + url.get()
                    + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database). " + HOW);
            case UNREACHABLE -> Optional.of("kavach-ledger cannot start: PostgreSQL at " + url.get()
                    + " is not reachable (" + probe.reason() + "). " + HOW);
        };
    }
}
