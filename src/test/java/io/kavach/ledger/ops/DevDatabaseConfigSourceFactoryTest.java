package io.kavach.ledger.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dev-mode database source as SmallRye Config runs it: inert outside the dev profile, silent
 * when a database is configured, and otherwise a real embedded PostgreSQL whose data outlives a
 * restart (what {@code ./mvnw quarkus:dev} on a laptop with only a JDK relies on).
 */
class DevDatabaseConfigSourceFactoryTest {

    private static final String URL = DevDatabaseConfigSourceFactory.URL;

    @AfterEach
    void forgetTheChoice() throws IOException {
        System.clearProperty(DevDatabaseConfigSourceFactory.CHOSEN);
        System.clearProperty(DevDatabaseConfigSourceFactory.CHOSEN_URL);
        stopEmbedded();
    }

    private static SmallRyeConfig config(String profile, Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withProfile(profile)
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .withSources(new DevDatabaseConfigSourceFactory())
                .build();
    }

    private static void stopEmbedded() throws IOException {
        EmbeddedDevPostgres postgres = DevDatabaseConfigSourceFactory.started;
        DevDatabaseConfigSourceFactory.started = null;
        if (postgres != null) {
            postgres.stop();
        }
    }

    private static String closedLocalUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "jdbc:postgresql://127.0.0.1:" + socket.getLocalPort() + "/postgres";
        }
    }

    @Test
    void outsideDevModeItAddsNothingAndDecidesNothing() throws IOException {
        for (String profile : new String[] {"prod", "test"}) {
            SmallRyeConfig config = config(profile, Map.of(DevDatabaseConfigSourceFactory.LOCAL_URL, closedLocalUrl()));
            assertTrue(config.getOptionalValue(URL, String.class).isEmpty(), profile);
            assertTrue(config.getOptionalValue("quarkus.devservices.enabled", String.class).isEmpty(), profile);
        }
        assertEquals(null, System.getProperty(DevDatabaseConfigSourceFactory.CHOSEN));
    }

    @Test
    void aConfiguredDatabaseIsLeftAlone() {
        SmallRyeConfig config = config("dev", Map.of(URL, "jdbc:postgresql://db.example:5432/ledger"));
        assertEquals("jdbc:postgresql://db.example:5432/ledger", config.getValue(URL, String.class));
        assertEquals("CONFIGURED", System.getProperty(DevDatabaseConfigSourceFactory.CHOSEN));
    }

    @Test
    void withNothingElseAnEmbeddedPostgresKeepsItsDataAcrossRestarts() throws Exception {
        Path parent = Files.createTempDirectory("kavach-dev-postgres-test");
        Map<String, String> laptop = Map.of(
                DevDatabaseConfigSourceFactory.LOCAL_URL, closedLocalUrl(),
                DevDatabaseConfigSourceFactory.CONTAINERS, "off",
                DevDatabaseConfigSourceFactory.DIRECTORY, parent.resolve("dev-postgres").toString());
        try {
            SmallRyeConfig first = config("dev", laptop);
            String url = first.getValue(URL, String.class);
            assertEquals("EMBEDDED", System.getProperty(DevDatabaseConfigSourceFactory.CHOSEN));
            assertEquals("postgres", first.getValue("quarkus.datasource.username", String.class));
            assertTrue(DevDatabase.answers(url, "postgres"), url);
            // A second read of the configuration (Quarkus reads it at build and again at start)
            // reuses the running server.
            assertEquals(url, config("dev", laptop).getValue(URL, String.class));
            try (Connection db = DriverManager.getConnection(url, "postgres", "");
                    Statement sql = db.createStatement()) {
                sql.execute("CREATE TABLE budget_probe (limit_value numeric)");
                sql.execute("INSERT INTO budget_probe VALUES (100.0)");
            }

            stopEmbedded(); // dev mode stopped ...
            System.clearProperty(DevDatabaseConfigSourceFactory.CHOSEN);
            System.clearProperty(DevDatabaseConfigSourceFactory.CHOSEN_URL);
            assertFalse(DevDatabase.answers(url, "postgres"), "stopped with its JVM");

            String again = config("dev", laptop).getValue(URL, String.class); // ... and started again
            assertNotNull(DevDatabaseConfigSourceFactory.started);
            try (Connection db = DriverManager.getConnection(again, "postgres", "");
                    Statement sql = db.createStatement();
                    ResultSet row = sql.executeQuery("SELECT limit_value FROM budget_probe")) {
                assertTrue(row.next(), "the data written before the restart is still there");
                assertEquals(0, new java.math.BigDecimal("100.0").compareTo(row.getBigDecimal(1)));
            }
        } finally {
            stopEmbedded();
            try (Stream<Path> files = Files.walk(parent)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
