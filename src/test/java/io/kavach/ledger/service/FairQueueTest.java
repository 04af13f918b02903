package io.kavach.ledger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ledger queue: bounded by events, a bounded share per org, round-robin across orgs. */
class FairQueueTest {

    private static final long NO_WAIT = 0;

    @Test
    void theQueueCountsEventsNotRequests() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(12_000, 5_000, 10_000);
        assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("ingest-1", "a", 5_000));
        assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("ingest-2", "b", 5_000));
        assertEquals(10_000, queue.weight());
        // Two requests hold 10,000 of 12,000 events: a third maximal ingest does not fit, a reservation does.
        assertEquals(FairQueue.Offer.FULL, queue.offer("ingest-3", "c", 5_000));
        assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("reservation", "c", 1));
        assertEquals(List.of("ingest-1", "ingest-2"), queue.take(10, 10_000, NO_WAIT, NO_WAIT));
        assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("ingest-3", "c", 5_000));
    }

    @Test
    void anOrgOverItsShareIsRefusedWhileOthersAreStillTaken() {
        FairQueue<String> queue = new FairQueue<>(50_000, 5_000, 10_000);
        int accepted = 0;
        while (queue.offer("a-" + accepted, "flooder", 1) == FairQueue.Offer.ACCEPTED) {
            accepted++;
        }
        // Alone, an org gets min(share max, capacity / 2).
        assertEquals(10_000, accepted);
        assertEquals(FairQueue.Offer.ORG_OVER_SHARE, queue.offer("a-more", "flooder", 1));
        for (int i = 0; i < 100; i++) {
            assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("b-" + i, "bystander", 1));
        }
        assertEquals(100, queue.weightOf("bystander"));
        // A maximal ingest of an idle org always fits its minimum share.
        assertEquals(FairQueue.Offer.ACCEPTED, queue.offer("c-ingest", "newcomer", 5_000));
    }

    @Test
    void sharesShrinkAsMoreOrgsQueue() {
        FairQueue<String> queue = new FairQueue<>(60_000, 1_000, 60_000);
        // Alone: half the queue; each further org leaves room for one more.
        assertEquals(30_000, queue.shareOf("a"));
        queue.offer("x", "a", 1);
        assertEquals(20_000, queue.shareOf("b"));
        queue.offer("y", "b", 1);
        assertEquals(15_000, queue.shareOf("c"));
        assertEquals(20_000, queue.shareOf("a"), "an org's own queue does not count against it");
    }

    @Test
    void batchesServeOrgsRoundRobinNotFifo() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(100_000, 5_000, 10_000);
        for (int i = 0; i < 1_000; i++) {
            queue.offer("a" + i, "a", 1);
        }
        queue.offer("b0", "b", 1);
        queue.offer("c0", "c", 1);
        List<String> batch = queue.take(4, 10_000, NO_WAIT, NO_WAIT);
        assertEquals(List.of("a0", "b0", "c0", "a1"), batch, "orgs that queued after a backlog are in the first batch");
        assertEquals(List.of("a2", "a3"), queue.take(2, 10_000, NO_WAIT, NO_WAIT));
    }

    @Test
    void aBatchKeepsItsWeightBoundButNeverStarvesAHeavyHead() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(100_000, 5_000, 20_000);
        queue.offer("big-1", "a", 6_000);
        queue.offer("big-2", "a", 6_000);
        queue.offer("small", "b", 1);
        assertEquals(List.of("big-1", "small"), queue.take(10, 10_000, NO_WAIT, NO_WAIT));
        assertEquals(List.of("big-2"), queue.take(10, 1_000, NO_WAIT, NO_WAIT), "a head heavier than the bound goes alone");
    }

    @Test
    void aWithdrawnCommandIsNeverTaken() throws InterruptedException {
        FairQueue<String> queue = new FairQueue<>(100, 10, 50);
        String first = "first";
        String second = "second";
        queue.offer(first, "a", 3);
        queue.offer(second, "a", 1);
        assertTrue(queue.remove(first, "a"));
        assertFalse(queue.remove(first, "a"));
        assertEquals(1, queue.weightOf("a"));
        assertEquals(List.of(second), queue.take(10, 100, NO_WAIT, NO_WAIT));
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.weight());
    }

    /** Real threads: many producers of several orgs, two consumers; every accepted item is taken exactly once. */
    @Test
    void concurrentProducersAndLanesLoseAndDuplicateNothing() throws Exception {
        FairQueue<String> queue = new FairQueue<>(2_000, 100, 1_000);
        int producers = 8;
        int perProducer = 5_000;
        ExecutorService threads = Executors.newFixedThreadPool(producers + 2);
        Set<String> accepted = Collections.synchronizedSet(new HashSet<>());
        List<String> taken = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refused = new AtomicInteger();
        CountDownLatch producing = new CountDownLatch(producers);
        try {
            List<Future<?>> lanes = new ArrayList<>();
            for (int lane = 0; lane < 2; lane++) {
                lanes.add(threads.submit(() -> {
                    while (producing.getCount() > 0 || !queue.isEmpty()) {
                        taken.addAll(queue.take(64, 500, TimeUnit.MICROSECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(10)));
                    }
                    return null;
                }));
            }
            for (int p = 0; p < producers; p++) {
                String org = "org-" + (p % 3);
                int producer = p;
                threads.submit(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        String item = producer + ":" + i;
                        if (queue.offer(item, org, 1 + i % 7) == FairQueue.Offer.ACCEPTED) {
                            accepted.add(item);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                    producing.countDown();
                });
            }
            for (Future<?> lane : lanes) {
                lane.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(accepted.size(), taken.size(), "taken exactly as often as accepted");
        assertEquals(accepted, new HashSet<>(taken));
        assertEquals(producers * perProducer, accepted.size() + refused.get());
        assertEquals(0, queue.weight());
    }
}
