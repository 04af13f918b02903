package io.kavach.ledger.ops;

import io.kavach.ledger.store.PostgresProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Which database {@code ./mvnw quarkus:dev} uses when nobody said (docs/decisions/0009): the
 * configured one, else a PostgreSQL that answers on 127.0.0.1:5432, else Quarkus Dev Services when
 * a container engine answers, else an embedded PostgreSQL 15 whose data survives restarts. The
 * probes are plain JDK code; only {@link EmbeddedDevPostgres} needs the embedded binaries, which are
 * a {@code provided} dependency and so never in the packaged service.
 */
public final class DevDatabase {

    /** Where the choice came from, in the order they are tried. */
    public enum Choice {
        /** {@code quarkus.datasource.jdbc.url} is set ({@code QUARKUS_DATASOURCE_JDBC_URL}, .env, a system property). */
        CONFIGURED,
        /** A PostgreSQL answered at {@code kavach.dev-database.local-url} (default 127.0.0.1:5432). */
        LOCAL,
        /** A container engine answers: Quarkus Dev Services starts a PostgreSQL container. */
        DEV_SERVICES,
        /** Nothing else: an embedded PostgreSQL with its data in {@code kavach.dev-database.directory}. */
        EMBEDDED
    }

    static final int PROBE_TIMEOUT_SECONDS = 2;

    private DevDatabase() {
    }

    /** The first source that applies; later probes are not run once one answers. */
    public static Choice choose(boolean configured, BooleanSupplier localAnswers, BooleanSupplier containerEngineAnswers) {
        if (configured) {
            return Choice.CONFIGURED;
        }
        if (localAnswers.getAsBoolean()) {
            return Choice.LOCAL;
        }
        if (containerEngineAnswers.getAsBoolean()) {
            return Choice.DEV_SERVICES;
        }
        return Choice.EMBEDDED;
    }

    /** True when a PostgreSQL accepts {@code user} (no password: trust auth, as on a developer's machine) at {@code url}. */
    public static boolean answers(String url, String user) {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        return PostgresProbe.connect(url, properties, PROBE_TIMEOUT_SECONDS).result() == PostgresProbe.Result.ANSWERS;
    }

    /**
     * True when a Docker-compatible engine answers {@code GET /_ping} with 200 on {@code DOCKER_HOST}
     * or one of the usual sockets (Docker, Docker Desktop, Podman, Colima). A client without an
     * engine, or a socket nobody listens on, is false within a few seconds.
     */
    public static boolean containerEngineAnswers(Map<String, String> environment) {
        for (String endpoint : containerEngineEndpoints(environment)) {
            if (pings(endpoint)) {
                return true;
            }
        }
        return false;
    }

    static List<String> containerEngineEndpoints(Map<String, String> environment) {
        List<String> endpoints = new ArrayList<>();
        String dockerHost = environment.get("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            endpoints.add(dockerHost.trim());
            return endpoints; // an explicit DOCKER_HOST is the only one Dev Services would use
        }
        endpoints.add("unix:///var/run/docker.sock");
        String home = System.getProperty("user.home");
        if (home != null) {
            endpoints.add("unix://" + home + "/.docker/run/docker.sock");
            endpoints.add("unix://" + home + "/.colima/default/docker.sock");
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank()) {
            endpoints.add("unix://" + runtime + "/docker.sock");
            endpoints.add("unix://" + runtime + "/podman/podman.sock");
        }
        endpoints.add("unix:///run/podman/podman.sock");
        return endpoints;
    }

    static boolean pings(String endpoint) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        Thread probe = new Thread(() -> {
            try {
                answer.complete(ping(endpoint));
            } catch (IOException | RuntimeException e) {
                answer.complete(false);
            }
        }, "dev-database-container-probe");
        probe.setDaemon(true);
        probe.start();
        try {
            return answer.get(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception timedOutOrInterrupted) {
            probe.interrupt(); // a socket that accepts and never answers: closed with the thread
            return false;
        }
    }

    private static boolean ping(String endpoint) throws IOException {
        byte[] request = "GET /_ping HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        if (endpoint.startsWith("unix://")) {
            Path socket = Path.of(endpoint.substring("unix://".length()));
            if (!Files.exists(socket)) {
                return false;
            }
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap(request));
                return isOk(Channels.newInputStream(channel));
            }
        }
        if (endpoint.startsWith("tcp://")) {
            URI uri = URI.create(endpoint);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort()),
                        PROBE_TIMEOUT_SECONDS * 1000);
                socket.setSoTimeout(PROBE_TIMEOUT_SECONDS * 1000);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                return isOk(socket.getInputStream());
            }
        }
        return false; // ssh:// and other transports: leave them to Dev Services' own detection
    }

    private static boolean isOk(InputStream in) throws IOException {
        byte[] head = in.readNBytes(12); // "HTTP/1.1 200"
        String status = new String(head, StandardCharsets.US_ASCII);
        return status.startsWith("HTTP/") && status.endsWith(" 200");
    }
}
