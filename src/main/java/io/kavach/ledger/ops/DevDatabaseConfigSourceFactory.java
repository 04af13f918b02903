package io.kavach.ledger.ops;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

/**
 * Gives {@code ./mvnw quarkus:dev} a database when none is configured (docs/decisions/0009), in the
 * dev profile only: in any other profile — the packaged service, the tests, the build — it adds
 * nothing and probes nothing. Quarkus reads configuration while it builds the dev application
 * (before Dev Services decide whether to start a container) and again when it starts it; the first
 * decision is kept for the life of the JVM (system properties survive live reloads), so the probes
 * run and the choice is logged once.
 */
public class DevDatabaseConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.jdbc.url";
    static final String USERNAME = "quarkus.datasource.username";
    static final String LOCAL_URL = "kavach.dev-database.local-url";
    static final String DEFAULT_LOCAL_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    static final String CONTAINERS = "kavach.dev-database.dev-services";
    static final String DIRECTORY = "kavach.dev-database.directory";
    /** Profile-qualified: it must beat the unqualified {@code quarkus.devservices.enabled=false} of application.properties. */
    static final String DEV_SERVICES_ENABLED = "%dev.quarkus.devservices.enabled";
    /** JVM-wide memory of the decision: {@link DevDatabase.Choice} name, and the URL for LOCAL / EMBEDDED. */
    public static final String CHOSEN = "kavach.dev-database.chosen";
    static final String CHOSEN_URL = "kavach.dev-database.chosen-url";
    /** Below application.properties (250): anything configured anywhere wins over this default. */
    static final int ORDINAL = 200;
    private static final Logger LOG = Logger.getLogger(DevDatabaseConfigSourceFactory.class);
    /** The embedded server this class loader started (tests stop it; dev mode lets the JVM's exit stop it). */
    static volatile EmbeddedDevPostgres started;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (!context.getProfiles().contains("dev")) {
            return List.of();
        }
        synchronized (DevDatabaseConfigSourceFactory.class) {
            return resolve(context);
        }
    }

    private static Iterable<ConfigSource> resolve(ConfigSourceContext context) {
        boolean configured = !value(context, URL, "").isBlank();
        String chosen = System.getProperty(CHOSEN);
        if (chosen == null) {
            String localUrl = value(context, LOCAL_URL, DEFAULT_LOCAL_URL);
            boolean containersAllowed = !"off".equalsIgnoreCase(value(context, CONTAINERS, "auto"));
            DevDatabase.Choice choice = DevDatabase.choose(configured,
                    () -> !localUrl.isBlank() && !"off".equalsIgnoreCase(localUrl) && DevDatabase.answers(localUrl, "postgres"),
                    () -> containersAllowed && DevDatabase.containerEngineAnswers(System.getenv()));
            switch (choice) {
                case CONFIGURED -> LOG.debugf("dev database: %s as configured", value(context, URL, ""));
                case LOCAL -> {
                    remember(choice, localUrl);
                    LOG.infof("dev database: PostgreSQL at %s (user postgres); set QUARKUS_DATASOURCE_JDBC_URL for another",
                            localUrl);
                }
                case DEV_SERVICES -> LOG.infof("dev database: nothing answers at %s and a container engine runs: "
                        + "Quarkus Dev Services starts PostgreSQL in a container", localUrl);
                case EMBEDDED -> startEmbedded(context, localUrl);
            }
            System.setProperty(CHOSEN, choice.name());
            chosen = choice.name();
        } else if (DevDatabase.Choice.DEV_SERVICES.name().equals(chosen) && !configured
                && System.getProperty(CHOSEN_URL) == null) {
            // Dev Services was left to start a container and did not (its engine check disagreed with
            // ours, or the container failed): fall back to the embedded database rather than no database.
            startEmbedded(context, value(context, LOCAL_URL, DEFAULT_LOCAL_URL));
            System.setProperty(CHOSEN, DevDatabase.Choice.EMBEDDED.name());
        }
        String url = System.getProperty(CHOSEN_URL);
        if (DevDatabase.Choice.DEV_SERVICES.name().equals(System.getProperty(CHOSEN))) {
            // Dev Services stay off otherwise (application.properties), so that a machine without a
            // container engine is not probed for one at every start.
            return List.of(new PropertiesConfigSource(Map.of(DEV_SERVICES_ENABLED, "true"), "kavach dev database", ORDINAL));
        }
        if (configured || url == null) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(Map.of(URL, url, USERNAME, "postgres"), "kavach dev database", ORDINAL));
    }

    private static void startEmbedded(ConfigSourceContext context, String localUrl) {
        Path directory = Path.of(value(context, DIRECTORY,
                Path.of(System.getProperty("user.home"), ".kavach-ledger", "dev-postgres").toString()));
        try {
            EmbeddedDevPostgres postgres = EmbeddedDevPostgres.start(directory, true);
            started = postgres;
            remember(DevDatabase.Choice.EMBEDDED, postgres.jdbcUrl());
            LOG.infof("dev database: embedded PostgreSQL 15 at %s, data in %s (kept across restarts; delete it to start over)"
                    + " — nothing answered at %s and no container engine runs", postgres.jdbcUrl(), directory, localUrl);
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new IllegalStateException("kavach-ledger dev mode found no database: nothing answers at " + localUrl
                    + ", no container engine runs, and the embedded PostgreSQL in " + directory + " did not start ("
                    + e + "). Set QUARKUS_DATASOURCE_JDBC_URL to a PostgreSQL.", e);
        }
    }

    private static void remember(DevDatabase.Choice choice, String url) {
        System.setProperty(CHOSEN_URL, url);
        System.setProperty(CHOSEN, choice.name());
    }

    private static String value(ConfigSourceContext context, String name, String otherwise) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? otherwise : value.getValue();
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
