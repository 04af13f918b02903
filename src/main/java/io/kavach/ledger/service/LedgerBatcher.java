package io.kavach.ledger.service;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * Group commit for the ledger (TigerBeetle's batching): commands that arrive together are
 * applied together, in one transaction that locks each hot window once, and each is answered as
 * if it had been alone. A few lane threads each take a batch from the shared {@link FairQueue}
 * (bounded by events, a bounded share per org, round-robin across orgs), gathering what arrives
 * within {@code max-wait} (up to {@code max-size} commands or {@code max-events} ingested events),
 * and hand it to {@link LedgerProcessor}. Nothing is acknowledged before its transaction commits,
 * and the database stays the only truth, so instances stay stateless and exact. With batching
 * off every command is its own transaction (the baseline).
 *
 * <p>Every caller is answered, whatever happens: a command the queue cannot take fails at once
 * ({@link LedgerRefusal.QueueFull}, {@link LedgerRefusal.OrgOverShare}); one not answered within
 * {@code answer-timeout} fails with {@link LedgerRefusal.TimedOut} (withdrawn if still queued); a
 * lane survives any {@link Throwable} and fails only that batch ({@link LedgerRefusal.LaneFailed}).
 * A batch that fails because of one command's data is split in halves until that command is
 * alone, so it fails alone and its batch-mates commit in a few transactions, not one each.
 */
@ApplicationScoped
public class LedgerBatcher {

    private static final Logger LOG = Logger.getLogger(LedgerBatcher.class);
    /** How long an idle lane waits for work before checking whether the service is stopping. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

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
    /** Events (a reservation, commit or release weighs one) the queue holds, from all orgs together. */
    @ConfigProperty(name = "kavach.ledger.queue.capacity-events", defaultValue = "50000")
    int queueCapacity;
    /** What one org may always have queued, however many orgs are waiting: one maximal ingest. */
    @ConfigProperty(name = "kavach.ledger.queue.org-share-min-events", defaultValue = "5000")
    int orgShareMin;
    /** The most one org may have queued, however idle the others are: two maximal ingests. */
    @ConfigProperty(name = "kavach.ledger.queue.org-share-max-events", defaultValue = "10000")
    int orgShareMax;
    /** No caller waits longer than this for its outcome (more than three lock timeouts of a batch's attempts). */
    @ConfigProperty(name = "kavach.ledger.answer-timeout", defaultValue = "PT30S")
    Duration answerTimeout;
    /** How long shutdown waits for the lanes to finish what is queued. */
    @ConfigProperty(name = "kavach.shutdown.drain-timeout", defaultValue = "PT30S")
    Duration drainTimeout;

    @Inject
    LedgerProcessor processor;
    @Inject
    ManagedExecutor executor;
    @Inject
    MeterRegistry metrics;

    private FairQueue<Pending> queue;
    private ExecutorService laneThreads;
    private ScheduledThreadPoolExecutor timeouts;
    private volatile boolean running;
    private DistributionSummary batchSizes;

    /** {@code keyHash}: the caller's API key still to be checked for revocation in the batch, or null. */
    private record Pending(LedgerCommand command, byte[] keyHash, CompletableFuture<LedgerOutcome> answer) {
        int weight() {
            return command instanceof LedgerCommand.Ingest ingest ? Math.max(1, ingest.events().size()) : 1;
        }
    }

    void start(@Observes StartupEvent event) {
        start();
    }

    /** Starts the lanes (package-private so a test can run a batcher outside CDI). */
    void start() {
        batchSizes = DistributionSummary.builder("kavach.ledger.batch.size")
                .description("Commands applied per ledger transaction").register(metrics);
        Gauge.builder("kavach.ledger.queue.depth", this, LedgerBatcher::queued)
                .description("Commands waiting for a ledger lane").register(metrics);
        timeouts = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "ledger-answer-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        timeouts.setRemoveOnCancelPolicy(true);
        if (!enabled) {
            LOG.info("ledger batching is off: one transaction per command");
            return;
        }
        queue = new FairQueue<>(queueCapacity, orgShareMin, orgShareMax);
        running = true;
        laneThreads = Executors.newFixedThreadPool(lanes, runnable -> {
            Thread thread = new Thread(runnable, "ledger-lane");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i < lanes; i++) {
            laneThreads.execute(this::lane);
        }
        LOG.infof("ledger batching on: %d lanes, max wait %s, max %d commands / %d events per batch; "
                        + "queue of %d events, %d-%d per org; answers within %s",
                lanes, maxWait, maxSize, maxEvents, queueCapacity, orgShareMin, orgShareMax, answerTimeout);
    }

    void stop(@Observes ShutdownEvent event) {
        stop();
    }

    void stop() {
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
            for (Pending left : queue.drain()) {
                left.answer().completeExceptionally(new LedgerRefusal.QueueFull(queueCapacity));
            }
        }
        if (timeouts != null) {
            timeouts.shutdownNow();
        }
    }

    /** Commands waiting for a lane (the queue-depth gauge). */
    public int queued() {
        FairQueue<Pending> waiting = queue;
        return waiting == null ? 0 : waiting.size();
    }

    /** The outcome once the command's transaction has committed; the caller is already authenticated. */
    public CompletableFuture<LedgerOutcome> submit(LedgerCommand command) {
        return submit(command, null);
    }

    /**
     * The outcome once the command's transaction has committed. A non-null {@code keyHash} is the
     * caller's API key, checked for revocation inside that transaction (ADR 0004). Fails with a
     * {@link LedgerRefusal} when the queue does not take the command or no answer comes in time.
     */
    public CompletableFuture<LedgerOutcome> submit(LedgerCommand command, byte[] keyHash) {
        if (!enabled) {
            return bounded(CompletableFuture.supplyAsync(() -> alone(command, keyHash), executor), null);
        }
        Pending pending = new Pending(command, keyHash, new CompletableFuture<>());
        if (!running) {
            pending.answer().completeExceptionally(new LedgerRefusal.QueueFull(queueCapacity));
            return pending.answer();
        }
        switch (queue.offer(pending, command.orgId(), pending.weight())) {
            case ACCEPTED -> bounded(pending.answer(), pending);
            case ORG_OVER_SHARE -> {
                metrics.counter("kavach.ledger.queue.refused", "reason", "org_over_share").increment();
                pending.answer().completeExceptionally(new LedgerRefusal.OrgOverShare(queue.shareOf(command.orgId())));
            }
            case FULL -> {
                metrics.counter("kavach.ledger.queue.refused", "reason", "full").increment();
                pending.answer().completeExceptionally(new LedgerRefusal.QueueFull(queueCapacity));
            }
        }
        return pending.answer();
    }

    /**
     * Fails {@code answer} with {@link LedgerRefusal.TimedOut} unless it completes within the
     * answer timeout; a command still queued then is withdrawn, so it is never applied.
     */
    private CompletableFuture<LedgerOutcome> bounded(CompletableFuture<LedgerOutcome> answer, Pending pending) {
        ScheduledFuture<?> timeout = timeouts.schedule(() -> {
            boolean withdrawn = pending != null && queue.remove(pending, pending.command().orgId());
            if (answer.completeExceptionally(new LedgerRefusal.TimedOut(answerTimeout, withdrawn))) {
                metrics.counter("kavach.ledger.answer.timeouts").increment();
            }
        }, answerTimeout.toNanos(), TimeUnit.NANOSECONDS);
        answer.whenComplete((outcome, failure) -> timeout.cancel(false));
        return answer;
    }

    private LedgerOutcome alone(LedgerCommand command, byte[] keyHash) {
        batchSizes.record(1);
        return processor.process(List.of(command), Collections.singletonList(keyHash)).get(0);
    }

    private void lane() {
        while (running || !queue.isEmpty()) {
            List<Pending> batch;
            try {
                batch = queue.take(maxSize, maxEvents, maxWait.toNanos(), IDLE_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (batch.isEmpty()) {
                continue;
            }
            try {
                apply(batch);
            } catch (Throwable e) {
                // An Error (out of memory, say) or a bug: the lane lives on, and this batch's
                // callers are answered instead of waiting for ever.
                LOG.error("ledger lane failed applying a batch of " + batch.size() + "; its commands are answered 503", e);
                LedgerRefusal.LaneFailed failed = new LedgerRefusal.LaneFailed(e);
                batch.forEach(pending -> pending.answer().completeExceptionally(failed));
            }
        }
    }

    /** Applies {@code commands} as one batch, exactly as a lane would; for tests of batch behaviour. */
    List<CompletableFuture<LedgerOutcome>> applyTogether(List<LedgerCommand> commands) {
        return applyTogether(commands, Collections.nCopies(commands.size(), null));
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
            if (batch.size() == 1 || DatabaseFailures.unavailable(e)) {
                // Alone, it is the command's own failure; with the database gone, every command's.
                batch.forEach(pending -> pending.answer().completeExceptionally(e));
                return;
            }
            // One bad command (a value PostgreSQL refuses, SQLState class 22) must not fail its
            // batch-mates, nor send everyone through a transaction each: halve until it is alone.
            metrics.counter("kavach.ledger.batch.splits").increment();
            LOG.debugf("ledger batch of %s failed (%s); applying it in halves", batch.size(), e.toString());
            int half = batch.size() / 2;
            apply(batch.subList(0, half));
            apply(batch.subList(half, batch.size()));
        }
    }
}
