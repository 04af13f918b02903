package io.kavach.ledger.ops;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dev mode only: a real PostgreSQL 15 (the embedded binaries the tests use) whose data directory
 * persists, so budgets survive restarts of {@code quarkus:dev}. It stops when the JVM exits. Its
 * library is a {@code provided} dependency: present in dev mode and tests, absent from the packaged
 * service, so nothing but {@link DevDatabaseConfigSourceFactory} in the dev profile may load this class.
 */
public final class EmbeddedDevPostgres {

    /** The lock file the embedded library holds while a JVM owns the data directory. */
    static final String LOCK_FILE = "epg-lock";
    /** Held strongly: the log manager keeps only weak references to loggers. */
    private static final Logger QUIET = Logger.getLogger("io.zonky.test.db.postgres");

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedDevPostgres(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts PostgreSQL on a free port with its data in {@code dataDirectory} (created by initdb on
     * first use, reused afterwards). Its server log goes to {@code <dataDirectory>.log}. A server
     * left running by a dev JVM that was killed is stopped first.
     */
    public static EmbeddedDevPostgres start(Path dataDirectory, boolean stopWithJvm) throws IOException {
        Path directory = dataDirectory.toAbsolutePath();
        Files.createDirectories(directory.getParent());
        stopOrphanedServer(directory);
        Path log = directory.resolveSibling(directory.getFileName() + ".log");
        // The library logs each step at INFO; dev mode announces the database in one line instead.
        QUIET.setLevel(Level.WARNING);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(directory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(stopWithJvm)
                // The library turns fsync off for throwaway test clusters; this one keeps data.
                .setServerConfig("fsync", "on")
                .setPGStartupWait(Duration.ofSeconds(60))
                .setOutputRedirector(Redirect.appendTo(log.toFile()))
                .setErrorRedirector(Redirect.appendTo(log.toFile()))
                .start();
        return new EmbeddedDevPostgres(postgres, directory);
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Stops the server (the data stays). */
    public void stop() throws IOException {
        postgres.close();
    }

    /**
     * A dev JVM killed with SIGKILL leaves its postmaster running on the data directory, and a new
     * one could not start. If no live JVM holds the directory's lock but {@code postmaster.pid} names
     * a live process, that server is an orphan: stop it.
     */
    static void stopOrphanedServer(Path directory) throws IOException {
        Optional<ProcessHandle> postmaster = postmaster(directory);
        if (postmaster.isEmpty()) {
            return;
        }
        Path lockFile = directory.resolve(LOCK_FILE);
        try (FileOutputStream stream = new FileOutputStream(lockFile.toFile());
                FileLock lock = stream.getChannel().tryLock()) {
            if (lock == null) {
                throw new IllegalStateException("the dev database in " + directory
                        + " is in use by another kavach-ledger dev mode; stop that one first");
            }
        }
        postmaster.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown; an orphan has no clients left
        Instant deadline = Instant.now().plusSeconds(30);
        while (postmaster.get().isAlive() && Instant.now().isBefore(deadline)) {
            try {
                postmaster.get().onExit().get(1, TimeUnit.SECONDS);
            } catch (Exception stillRunning) {
                // checked again until the deadline
            }
        }
        if (postmaster.get().isAlive()) {
            throw new IllegalStateException("an orphaned PostgreSQL (pid " + postmaster.get().pid() + ") still runs on "
                    + directory + "; stop it and start dev mode again");
        }
    }

    /** The live process {@code postmaster.pid} names, if any. */
    static Optional<ProcessHandle> postmaster(Path directory) throws IOException {
        Path pidFile = directory.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        try {
            return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(true));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
