package io.kavach.ledger.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Gives the tests a real PostgreSQL, in this order: the standard {@code QUARKUS_DATASOURCE_*}
 * environment (CI and anyone with a database); Testcontainers when a Docker engine answers; an
 * embedded PostgreSQL (real binaries, so a machine with only a JDK passes {@code ./mvnw verify});
 * otherwise a clear failure that says how to provide one. Never H2, never a fake.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private PostgreSQLContainer container;
    private EmbeddedPostgres embedded;

    @Override
    public Map<String, String> start() {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (url != null && !url.isBlank()) {
            System.out.println("[tests] PostgreSQL from QUARKUS_DATASOURCE_JDBC_URL: " + url);
            return Map.of(); // Quarkus reads the same environment itself.
        }
        if (dockerAvailable()) {
            container = new PostgreSQLContainer("postgres:15-alpine");
            container.start();
            System.out.println("[tests] PostgreSQL from Testcontainers: " + container.getJdbcUrl());
            return credentials(container.getJdbcUrl(), container.getUsername(), container.getPassword());
        }
        try {
            embedded = EmbeddedPostgres.builder().start();
            String embeddedUrl = embedded.getJdbcUrl("postgres", "postgres");
            System.out.println("[tests] PostgreSQL embedded (zonky): " + embeddedUrl);
            return credentials(embeddedUrl, "postgres", "postgres");
        } catch (Exception | LinkageError e) {
            throw new IllegalStateException("""
                    The tests need a PostgreSQL database and none could be found or started.
                    Either set QUARKUS_DATASOURCE_JDBC_URL (and QUARKUS_DATASOURCE_USERNAME/_PASSWORD)
                    to a database the tests may wipe, or start a Docker engine for Testcontainers.
                    The embedded PostgreSQL failed too: """ + e, e);
        }
    }

    private static Map<String, String> credentials(String url, String user, String password) {
        return Map.of(
                "quarkus.datasource.jdbc.url", url,
                "quarkus.datasource.username", user,
                "quarkus.datasource.password", password);
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    @Override
    public void stop() {
        if (container != null) {
            container.stop();
        }
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception ignored) {
                // The JVM is ending; the embedded cluster's directory is temporary.
            }
        }
    }
}
