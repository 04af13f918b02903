package io.kavach.ledger.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode's choice of database: the order of the sources and the real probes behind them. */
class DevDatabaseTest {

    @TempDir
    Path dir;

    private static BooleanSupplier counting(boolean answer, AtomicInteger calls) {
        return () -> {
            calls.incrementAndGet();
            return answer;
        };
    }

    @Test
    void aConfiguredDatabaseWinsWithoutProbingAnything() {
        AtomicInteger local = new AtomicInteger();
        AtomicInteger engine = new AtomicInteger();
        assertEquals(DevDatabase.Choice.CONFIGURED, DevDatabase.choose(true, counting(true, local), counting(true, engine)));
        assertEquals(0, local.get() + engine.get(), "no probe runs when the variables say where the database is");
    }

    @Test
    void aLocalPostgresWinsOverContainersAndTheEngineIsNotAsked() {
        AtomicInteger engine = new AtomicInteger();
        assertEquals(DevDatabase.Choice.LOCAL, DevDatabase.choose(false, () -> true, counting(true, engine)));
        assertEquals(0, engine.get());
    }

    @Test
    void devServicesWhenOnlyAContainerEngineAnswersEmbeddedWhenNothingDoes() {
        assertEquals(DevDatabase.Choice.DEV_SERVICES, DevDatabase.choose(false, () -> false, () -> true));
        assertEquals(DevDatabase.Choice.EMBEDDED, DevDatabase.choose(false, () -> false, () -> false));
    }

    @Test
    void aClosedPortIsNoDatabase() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertFalse(DevDatabase.answers("jdbc:postgresql://127.0.0.1:" + closed + "/postgres", "postgres"));
    }

    @Test
    void anEngineAnsweringPingOnItsUnixSocketCounts() throws Exception {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread engine = answerOnce(server, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
            assertTrue(DevDatabase.containerEngineAnswers(Map.of("DOCKER_HOST", "unix://" + socket)));
            engine.join(5000);
        }
    }

    @Test
    void aSocketThatAnswersAnErrorOrIsMissingIsNoEngine() throws Exception {
        Path socket = dir.resolve("broken.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread engine = answerOnce(server, "HTTP/1.1 500 Internal Server Error\r\n\r\n");
            assertFalse(DevDatabase.containerEngineAnswers(Map.of("DOCKER_HOST", "unix://" + socket)));
            engine.join(5000);
        }
        assertFalse(DevDatabase.containerEngineAnswers(Map.of("DOCKER_HOST", "unix://" + dir.resolve("absent.sock"))));
    }

    @Test
    void aTcpDockerHostIsPinged() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread engine = new Thread(() -> {
                try (Socket client = server.accept()) {
                    readRequest(client.getInputStream());
                    client.getOutputStream().write("HTTP/1.1 200 OK\r\n\r\nOK".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the assertion below fails instead
                }
            });
            engine.start();
            assertTrue(DevDatabase.containerEngineAnswers(Map.of("DOCKER_HOST", "tcp://127.0.0.1:" + server.getLocalPort())));
            engine.join(5000);
        }
    }

    @Test
    void withoutDockerHostTheUsualSocketsAreTried() {
        assertTrue(DevDatabase.containerEngineEndpoints(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"))
                .containsAll(java.util.List.of("unix:///var/run/docker.sock", "unix:///run/user/1000/podman/podman.sock")));
        assertEquals(java.util.List.of("tcp://10.0.0.1:2375"),
                DevDatabase.containerEngineEndpoints(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375")));
    }

    private static Thread answerOnce(ServerSocketChannel server, String response) {
        Thread thread = new Thread(() -> {
            try (SocketChannel client = server.accept()) {
                ByteBuffer request = ByteBuffer.allocate(1024);
                client.read(request);
                client.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.US_ASCII)));
            } catch (IOException ignored) {
                // the assertion in the test fails instead
            }
        });
        thread.start();
        return thread;
    }

    private static void readRequest(InputStream in) throws IOException {
        byte[] buffer = new byte[1024];
        in.read(buffer);
    }
}
