package io.kavach.ledger.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

/** A missing or unreachable database is one clear line that says what to do. */
class DatabasePreflightTest {

    private static Config config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100)).build();
    }

    @Test
    void anUnreachableDatabaseNamesTheUrlAndTheVariablesToSet() {
        Optional<String> problem = DatabasePreflight.problem(config(Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/postgres",
                "quarkus.datasource.username", "postgres")));
        assertTrue(problem.isPresent());
        assertTrue(problem.get().contains("jdbc:postgresql://127.0.0.1:1/postgres is not reachable"), problem.get());
        assertTrue(problem.get().contains("QUARKUS_DATASOURCE_JDBC_URL"), problem.get());
        assertTrue(problem.get().lines().count() == 1, "one line: " + problem.get());
    }

    @Test
    void noUrlAtAllSaysSo() {
        Optional<String> problem = DatabasePreflight.problem(config(Map.of()));
        assertTrue(problem.orElseThrow().contains("no database is configured"));
    }

    @Test
    void aUrlOfAnotherDatabaseIsNamed() {
        Optional<String> problem = DatabasePreflight.problem(config(Map.of("quarkus.datasource.jdbc.url", "jdbc:h2:mem:x")));
        assertTrue(problem.orElseThrow().contains("is not a PostgreSQL JDBC URL"));
    }
}
