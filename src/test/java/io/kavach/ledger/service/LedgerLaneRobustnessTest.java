package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lanes' own guarantees, which no real transaction can provoke on demand: a lane survives any
 * {@link Throwable} and answers that batch's callers; no caller waits beyond the answer timeout.
 * The processor here is a stand-in that only fails or blocks on cue; what it would decide is not
 * under test (the ledger's decisions are tested against PostgreSQL elsewhere).
 */
class LedgerLaneRobustnessTest {

    private LedgerBatcher batcher;

    @AfterEach
    void stop() {
        if (batcher != null) {
            batcher.stop();
        }
    }

    @Test
    void aLaneSurvivesAnErrorAndAnswersThatBatchAndTheNextOnes() throws Exception {
        List<Boolean> failNext = new ArrayList<>(List.of(true));
        batcher = batcher(Duration.ofSeconds(30), commands -> {
            synchronized (failNext) {
                if (!failNext.isEmpty() && failNext.remove(0)) {
                    throw new OutOfMemoryError("simulated: a batch that could not be held");
                }
            }
            return commands.stream().map(c -> (LedgerOutcome) new LedgerOutcome.NotFound("x")).toList();
        });
        CompletableFuture<LedgerOutcome> failed = batcher.submit(release("org-a"));
        ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> failed.get(10, TimeUnit.SECONDS));
        LedgerRefusal.LaneFailed laneFailed = assertInstanceOf(LedgerRefusal.LaneFailed.class, error.getCause());
        assertInstanceOf(OutOfMemoryError.class, laneFailed.getCause());
        // The lane (there is one) is still there: the next commands are applied.
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(LedgerOutcome.NotFound.class, batcher.submit(release("org-a")).get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void noCallerWaitsBeyondTheTimeoutAndAQueuedCommandIsWithdrawn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<LedgerCommand> applied = java.util.Collections.synchronizedList(new ArrayList<>());
        batcher = batcher(Duration.ofMillis(300), commands -> {
            applied.addAll(commands);
            try {
                release.await(30, TimeUnit.SECONDS); // a batch stuck on a lock, say
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return commands.stream().map(c -> (LedgerOutcome) new LedgerOutcome.NotFound("x")).toList();
        });
        CompletableFuture<LedgerOutcome> inFlight = batcher.submit(release("org-a"));
        while (applied.isEmpty()) {
            Thread.onSpinWait(); // the lane has taken it
        }
        CompletableFuture<LedgerOutcome> queued = batcher.submit(release("org-b"));
        LedgerRefusal.TimedOut first = timedOut(inFlight);
        LedgerRefusal.TimedOut second = timedOut(queued);
        release.countDown();
        assertEquals(false, first.withdrawn(), "the first was being applied: its outcome is unknown");
        assertEquals(true, second.withdrawn(), "the second was still queued: withdrawn, never applied");
        batcher.stop();
        assertEquals(1, applied.size(), "only the first reached the processor: " + applied);
    }

    private static LedgerRefusal.TimedOut timedOut(CompletableFuture<LedgerOutcome> answer) {
        ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> answer.get(20, TimeUnit.SECONDS), "answered within the bound, not after the stuck batch");
        return assertInstanceOf(LedgerRefusal.TimedOut.class, error.getCause());
    }

    private static LedgerCommand release(String org) {
        return new LedgerCommand.Release(org, UUID.randomUUID());
    }

    private static LedgerBatcher batcher(Duration timeout, Function<List<? extends LedgerCommand>, List<LedgerOutcome>> process) {
        LedgerBatcher batcher = new LedgerBatcher();
        batcher.enabled = true;
        batcher.maxWait = Duration.ofMillis(1);
        batcher.maxSize = 128;
        batcher.maxEvents = 10_000;
        batcher.lanes = 1;
        batcher.queueCapacity = 50_000;
        batcher.orgShareMin = 5_000;
        batcher.orgShareMax = 10_000;
        batcher.answerTimeout = timeout;
        batcher.drainTimeout = Duration.ofSeconds(10);
        batcher.metrics = new SimpleMeterRegistry();
        batcher.processor = new LedgerProcessor() {
            @Override
            public List<LedgerOutcome> process(List<? extends LedgerCommand> batch, List<byte[]> keyHashes) {
                return process.apply(batch);
            }
        };
        batcher.start();
        return batcher;
    }
}
