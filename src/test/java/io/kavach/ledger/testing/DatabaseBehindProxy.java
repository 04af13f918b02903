package io.kavach.ledger.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs the service with a {@link TcpProxy} between it and PostgreSQL, so a test can take the
 * database away and bring it back ({@link #setDatabaseUp(boolean)}) without stopping any server.
 * Behind the proxy is the database of {@code QUARKUS_DATASOURCE_JDBC_URL} when set (CI's, which
 * keeps running), else an embedded PostgreSQL of its own.
 *
 * <p>The test steers the proxy through system properties holding strings only: Quarkus may build
 * this profile and run the test in different class loaders, which share only the JDK, and
 * libraries read every system property as a string (Narayana fails on any other value).
 */
public class DatabaseBehindProxy implements QuarkusTestProfile {

    private static final String PREFIX = "kavach.test.database-proxy.";
    /** "up" or "down": what the test wants. */
    private static final String WANTED = PREFIX + "wanted";
    /** "up" or "down": what the proxy has done (set after it cut the connections). */
    private static final String APPLIED = PREFIX + "applied";
    private static final String ACCEPTED = PREFIX + "accepted";
    private static final String URL = PREFIX + "url";
    private static final String USERNAME = PREFIX + "username";
    private static final String PASSWORD = PREFIX + "password";

    @Override
    public Map<String, String> getConfigOverrides() {
        synchronized (DatabaseBehindProxy.class) {
            if (System.getProperty(URL) == null) {
                start();
            }
            Map<String, String> overrides = new HashMap<>();
            overrides.put("quarkus.datasource.jdbc.url", System.getProperty(URL));
            if (System.getProperty(USERNAME) != null) {
                overrides.put("quarkus.datasource.username", System.getProperty(USERNAME));
                overrides.put("quarkus.datasource.password", System.getProperty(PASSWORD));
            }
            return overrides;
        }
    }

    /**
     * Takes PostgreSQL away (every connection cut, new ones refused) or brings it back; returns
     * once the proxy has done it.
     */
    public static void setDatabaseUp(boolean up) throws InterruptedException {
        if (System.getProperty(URL) == null) {
            throw new IllegalStateException("no database proxy: run the test with @TestProfile(DatabaseBehindProxy.class)");
        }
        String state = up ? "up" : "down";
        System.setProperty(WANTED, state);
        while (!state.equals(System.getProperty(APPLIED))) {
            Thread.sleep(1);
        }
    }

    /** How many connections the service opened through the proxy. */
    public static long connectionsThroughProxy() {
        return Long.parseLong(System.getProperty(ACCEPTED, "0"));
    }

    private static void start() {
        String url = System.getenv("QUARKUS_DATASOURCE_JDBC_URL");
        if (url == null || url.isBlank()) {
            try {
                EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        embedded.close();
                    } catch (IOException ignored) {
                        // The JVM is ending; the cluster's directory is temporary.
                    }
                }));
                url = embedded.getJdbcUrl("postgres", "postgres");
                System.setProperty(USERNAME, "postgres");
                System.setProperty(PASSWORD, "postgres");
            } catch (IOException e) {
                throw new IllegalStateException("the embedded PostgreSQL behind the proxy did not start", e);
            }
        }
        // jdbc:postgresql://host[:port]/database[?parameters]
        URI target = URI.create(url.substring("jdbc:".length()));
        if (target.getHost() == null || url.indexOf(',') >= 0) {
            throw new IllegalStateException("cannot proxy the JDBC URL " + url + " (one host expected)");
        }
        int port = target.getPort() < 0 ? 5432 : target.getPort();
        TcpProxy proxy;
        try {
            proxy = new TcpProxy(target.getHost(), port);
        } catch (IOException e) {
            throw new IllegalStateException("the database proxy did not start", e);
        }
        System.setProperty(WANTED, "up");
        System.setProperty(APPLIED, "up");
        Thread steering = new Thread(() -> steer(proxy), "tcp-proxy-steering");
        steering.setDaemon(true);
        steering.start();
        String proxied = "jdbc:postgresql://127.0.0.1:" + proxy.port() + target.getRawPath()
                + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        System.setProperty(URL, proxied);
        System.out.println("[tests] PostgreSQL behind a proxy: " + proxied + " -> " + target.getHost() + ":" + port);
    }

    /** Applies what the test wants and publishes the proxy's counters, until the JVM ends. */
    private static void steer(TcpProxy proxy) {
        while (true) {
            String wanted = System.getProperty(WANTED);
            if (!wanted.equals(System.getProperty(APPLIED))) {
                proxy.setUp(wanted.equals("up"));
                System.setProperty(APPLIED, wanted);
            }
            System.setProperty(ACCEPTED, Long.toString(proxy.accepted()));
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
