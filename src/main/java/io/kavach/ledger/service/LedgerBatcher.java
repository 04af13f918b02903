package io.kavach.ledger.service;

import io.kavach.ledger.error.ProblemException;
import io.kavach.ledger.ledger.LedgerCommand;
import io.kavach.ledger.ledger.LedgerOutcome;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * Group commit for the ledger (TigerBeetle's batching): commands that arrive together are
 * applied together, in one transaction that locks each hot window once, and each is answered as
 * if it had been alone. A few lane threads each take the next command, gather what else arrives
 * within {@code max-wait} (up to {@code max-size} commands or {@code max-events} ingested
 * events), and hand the batch to {@link LedgerProcessor}. Nothing is acknowledged before its
 * transaction commits, and the database stays the only truth, so instances stay stateless and
 * exact. With batching off every command is its own transaction (the baseline).
 */
@ApplicationScoped
public class LedgerBatcher {

    private static final Logger LOG = Logger.getLogger(LedgerBatcher.class);

    @ConfigProperty(name = "kavach.ledger.batching.enabled", defaultValue = "true")
    boolean enabled;
    @ConfigProperty(name = "kavach.ledger.batching.max-wait", defaultValue = "PT0.001S")
    Duration maxWait;
    @ConfigProperty(name = "kavach.ledger.batching.max-size", defaultValue = "128")
    int maxSize;
    @ConfigProperty(name = "kavach.ledger.batching.max-events", defaultValue = "10000")
    int maxEvents;
    @ConfigProperty(name = "kavach.ledger.batching.lanes", defaultValue = "2")
    int lanes;
    /** Commands waiting beyond this are refused at once (503) rather than queued without bound. */
    @ConfigProperty(name = "kavach.ledger.batching.queue-capacity", defaultValue = "20000")
    int queueCapacity;
    /** How long shutdown waits for the lanes to finish what is queued. */
    @ConfigProperty(name = "kavach.shutdown.drain-timeout", defaultValue = "PT30S")
    Duration drainTimeout;

    @Inject
    LedgerProcessor processor;
    @Inject
    ManagedExecutor executor;
    @Inject
    MeterRegistry metrics;

    private BlockingQueue<Pending> queue;
    private ExecutorService laneThreads;
    private volatile boolean running;
    private DistributionSummary batchSizes;

    /** {@code keyHash}: the caller's API key still to be checked for revocation in the batch, or null. */
    private record Pending(LedgerCommand command, byte[] keyHash, CompletableFuture<LedgerOutcome> answer) {
        int weight() {
            return command instanceof LedgerCommand.Ingest ingest ? Math.max(1, ingest.events().size()) : 1;
        }
    }

    void start(@Observes StartupEvent event) {
        batchSizes = DistributionSummary.builder("kavach.ledger.batch.size")
                .description("Commands applied per ledger transaction").register(metrics);
        io.micrometer.core.instrument.Gauge.builder("kavach.ledger.queue.depth", this, LedgerBatcher::queued)
                .description("Commands waiting for a ledger lane").register(metrics);
        if (!enabled) {
            LOG.info("ledger batching is off: one transaction per command");
            return;
        }
        queue = new ArrayBlockingQueue<>(queueCapacity);
        running = true;
        laneThreads = java.util.concurrent.Executors.newFixedThreadPool(lanes, runnable -> {
            Thread thread = new Thread(runnable, "ledger-lane");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < lanes; i++) {
            laneThreads.execute(this::lane);
        }
        LOG.infof("ledger batching on: %d lanes, max wait %s, max %d commands / %d events per batch",
                lanes, maxWait, maxSize, maxEvents);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (laneThreads != null) {
            laneThreads.shutdown();
            try {
                // Lanes finish the batch in hand and everything already queued (by now the HTTP
                // drain, ops/GracefulShutdown, has answered every request that was taken).
                if (!laneThreads.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warnf("ledger lanes still busy after %s at shutdown", drainTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Whatever slipped in as the lanes stopped is answered, not left hanging.
            for (Pending left = queue.poll(); left != null; left = queue.poll()) {
                left.answer().completeExceptionally(new ProblemException(503, "ledger_busy", "Service busy",
                        "The service is shutting down; retry on another instance").withHeader("Retry-After", "1"));
            }
        }
    }

    /** Commands waiting for a lane (the queue-depth gauge). */
    public int queued() {
        BlockingQueue<Pending> waiting = queue;
        return waiting == null ? 0 : waiting.size();
    }

    /** The outcome once the command's transaction has committed; the caller is already authenticated. */
    public CompletableFuture<LedgerOutcome> submit(LedgerCommand command) {
        return submit(command, null);
    }

    /**
     * The outcome once the command's transaction has committed. A non-null {@code keyHash} is the
     * caller's API key, checked for revocation inside that transaction (ADR 0004).
     */
    public CompletableFuture<LedgerOutcome> submit(LedgerCommand command, byte[] keyHash) {
        if (!enabled) {
            return CompletableFuture.supplyAsync(() -> alone(command, keyHash), executor);
        }
        Pending pending = new Pending(command, keyHash, new CompletableFuture<>());
        if (!running || !queue.offer(pending)) {
            pending.answer().completeExceptionally(new ProblemException(503, "ledger_busy", "Service busy",
                    "The ledger is at capacity; retry shortly").withHeader("Retry-After", "1"));
        }
        return pending.answer();
    }

    private LedgerOutcome alone(LedgerCommand command, byte[] keyHash) {
        batchSizes.record(1);
        return processor.process(List.of(command), java.util.Collections.singletonList(keyHash)).get(0);
    }

    private void lane() {
        Pending carried = null;
        while (running || !queue.isEmpty() || carried != null) {
            try {
                Pending first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
                carried = null;
                if (first == null) {
                    continue;
                }
                List<Pending> batch = new ArrayList<>();
                batch.add(first);
                int weight = first.weight();
                long deadline = System.nanoTime() + maxWait.toNanos();
                while (batch.size() < maxSize) {
                    Pending next = queue.poll();
                    if (next == null) {
                        long left = deadline - System.nanoTime();
                        next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (next == null) {
                            break;
                        }
                    }
                    if (weight + next.weight() > maxEvents) {
                        carried = next; // starts the next batch
                        break;
                    }
                    batch.add(next);
                    weight += next.weight();
                }
                apply(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("ledger lane failed unexpectedly", e);
            }
        }
    }

    /** Applies {@code commands} as one batch, exactly as a lane would; for tests of batch behaviour. */
    List<CompletableFuture<LedgerOutcome>> applyTogether(List<LedgerCommand> commands) {
        return applyTogether(commands, java.util.Collections.nCopies(commands.size(), null));
    }

    /** As {@link #applyTogether(List)}, with each command's unchecked API key hash (or null). */
    List<CompletableFuture<LedgerOutcome>> applyTogether(List<LedgerCommand> commands, List<byte[]> keyHashes) {
        List<Pending> batch = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            batch.add(new Pending(commands.get(i), keyHashes.get(i), new CompletableFuture<>()));
        }
        apply(batch);
        return batch.stream().map(Pending::answer).toList();
    }

    private void apply(List<Pending> batch) {
        batchSizes.record(batch.size());
        try {
            List<byte[]> keyHashes = new ArrayList<>(batch.size());
            batch.forEach(p -> keyHashes.add(p.keyHash()));
            List<LedgerOutcome> outcomes = processor.process(batch.stream().map(Pending::command).toList(), keyHashes);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(outcomes.get(i));
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).answer().completeExceptionally(e);
                return;
            }
            // One bad command must not fail its batch-mates: apply each alone.
            LOG.warnf("ledger batch of %s failed (%s); applying its commands one by one", batch.size(), e.toString());
            for (Pending pending : batch) {
                try {
                    pending.answer().complete(processor.process(List.of(pending.command()),
                            java.util.Collections.singletonList(pending.keyHash())).get(0));
                } catch (RuntimeException single) {
                    pending.answer().completeExceptionally(single);
                }
            }
        }
    }
}
