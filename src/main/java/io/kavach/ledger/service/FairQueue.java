package io.kavach.ledger.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ledger's queue, shared by every org: bounded by work (the events it holds, a reservation
 * weighing one), with a bounded share per org, and served round-robin across orgs so one org's
 * backlog never waits in front of another org's next command.
 *
 * <p>An org's share is the queue's capacity divided by the number of orgs with work queued plus
 * one (so there is always room for an org that arrives), within {@code [shareMin, shareMax]}:
 * {@code shareMin} is at least the largest single command, so an idle org is always admitted;
 * {@code shareMax} stops a lone flooder from filling the whole queue. An org over its share is
 * refused at once ({@link Offer#ORG_OVER_SHARE}); its queued commands stay and are served in
 * their turn.
 *
 * <p>Plain Java, one lock: {@link #take} hands a lane a batch built in rounds, one command per
 * org per round, in ring order, within the batch's size and weight bounds. A lane gathering a
 * batch sleeps until its batch could be filled or its gather time is up, not once per arriving
 * command: under load that is one wake-up per batch instead of one per request.
 */
final class FairQueue<T> {

    enum Offer { ACCEPTED, ORG_OVER_SHARE, FULL }

    private record Entry<T>(T item, String org, int weight) {
    }

    private final int capacity;
    private final int shareMin;
    private final int shareMax;

    private final ReentrantLock lock = new ReentrantLock();
    /** Lanes waiting for the first command of a batch. */
    private final Condition notEmpty = lock.newCondition();
    /** Lanes gathering a batch, waiting for enough commands to fill it. */
    private final Condition enough = lock.newCondition();
    /** Per gathering lane, the queued commands that would fill its batch. */
    private final List<Integer> gatherNeeds = new ArrayList<>(2);
    private final Map<String, ArrayDeque<Entry<T>>> byOrg = new HashMap<>();
    private final Map<String, Integer> weightByOrg = new HashMap<>();
    /** Orgs with work queued, in the order they are served next. */
    private final ArrayDeque<String> ring = new ArrayDeque<>();
    private int weight;
    private int size;

    FairQueue(int capacity, int shareMin, int shareMax) {
        if (shareMin < 1 || shareMin > shareMax || shareMax > capacity) {
            throw new IllegalArgumentException("need 1 <= share-min <= share-max <= capacity, not "
                    + shareMin + ", " + shareMax + ", " + capacity);
        }
        this.capacity = capacity;
        this.shareMin = shareMin;
        this.shareMax = shareMax;
    }

    /** The share {@code org} may have queued now. Call with the lock held. */
    private int share(String org) {
        int others = ring.size() - (byOrg.containsKey(org) ? 1 : 0);
        return Math.max(shareMin, Math.min(shareMax, capacity / (others + 2)));
    }

    /** Queues {@code item} of {@code org} weighing {@code weight} (≥ 1), or says why not. */
    Offer offer(T item, String org, int weight) {
        lock.lock();
        try {
            int queued = weightByOrg.getOrDefault(org, 0);
            int share = share(org);
            if (queued + weight > share) {
                return Offer.ORG_OVER_SHARE;
            }
            if (this.weight + weight > capacity) {
                return Offer.FULL;
            }
            ArrayDeque<Entry<T>> queue = byOrg.get(org);
            if (queue == null) {
                queue = new ArrayDeque<>();
                byOrg.put(org, queue);
                ring.addLast(org);
            }
            queue.addLast(new Entry<>(item, org, weight));
            weightByOrg.merge(org, weight, Integer::sum);
            this.weight += weight;
            size++;
            notEmpty.signal();
            for (int need : gatherNeeds) {
                if (size >= need) {
                    enough.signalAll();
                    break;
                }
            }
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** The share an org would be refused above, were it to offer now (for the refusal's detail). */
    int shareOf(String org) {
        lock.lock();
        try {
            return share(org);
        } finally {
            lock.unlock();
        }
    }

    /** Withdraws {@code item} if it is still queued; true when it was (it will never be taken). */
    boolean remove(T item, String org) {
        lock.lock();
        try {
            ArrayDeque<Entry<T>> queue = byOrg.get(org);
            if (queue == null) {
                return false;
            }
            for (var entries = queue.iterator(); entries.hasNext(); ) {
                Entry<T> entry = entries.next();
                if (entry.item() == item) {
                    entries.remove();
                    taken(entry);
                    if (queue.isEmpty()) {
                        byOrg.remove(org);
                        ring.remove(org);
                    }
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A batch for a lane: waits up to {@code idleNanos} for a first command (empty list if none),
     * then gathers, round-robin across orgs, what is queued or arrives within {@code gatherNanos},
     * up to {@code sizeMax} commands and {@code weightMax} weight (a first command heavier than
     * that still makes a batch of one).
     */
    List<T> take(int sizeMax, int weightMax, long gatherNanos, long idleNanos) throws InterruptedException {
        List<T> batch = new ArrayList<>();
        lock.lock();
        try {
            long idle = idleNanos;
            while (size == 0) {
                if (idle <= 0) {
                    return batch;
                }
                idle = notEmpty.awaitNanos(idle);
            }
            long deadline = System.nanoTime() + gatherNanos;
            int batchWeight = 0;
            while (batch.size() < sizeMax) {
                boolean progressed = false;
                // One round: at most one command from each org, each org then moves to the back.
                for (int visits = ring.size(); visits > 0 && batch.size() < sizeMax; visits--) {
                    String org = ring.pollFirst();
                    ArrayDeque<Entry<T>> queue = byOrg.get(org);
                    Entry<T> head = queue.peekFirst();
                    if (batch.isEmpty() || batchWeight + head.weight() <= weightMax) {
                        queue.pollFirst();
                        taken(head);
                        batch.add(head.item());
                        batchWeight += head.weight();
                        progressed = true;
                    }
                    if (queue.isEmpty()) {
                        byOrg.remove(org);
                    } else {
                        ring.addLast(org);
                    }
                }
                if (!progressed) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    Integer need = sizeMax - batch.size();
                    gatherNeeds.add(need);
                    try {
                        enough.awaitNanos(left);
                    } finally {
                        gatherNeeds.remove(need);
                    }
                }
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    private void taken(Entry<T> entry) {
        weight -= entry.weight();
        size--;
        weightByOrg.computeIfPresent(entry.org(), (org, queued) -> queued == entry.weight() ? null : queued - entry.weight());
    }

    /** Takes everything still queued (at shutdown, to answer it rather than leave it hanging). */
    List<T> drain() {
        lock.lock();
        try {
            List<T> left = new ArrayList<>();
            byOrg.values().forEach(queue -> queue.forEach(entry -> left.add(entry.item())));
            byOrg.clear();
            weightByOrg.clear();
            ring.clear();
            weight = 0;
            size = 0;
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** Commands queued, from all orgs. */
    int size() {
        lock.lock();
        try {
            return size;
        } finally {
            lock.unlock();
        }
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return size == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Events queued in total, and for one org (for tests and metrics). */
    int weight() {
        lock.lock();
        try {
            return weight;
        } finally {
            lock.unlock();
        }
    }

    int weightOf(String org) {
        lock.lock();
        try {
            return weightByOrg.getOrDefault(org, 0);
        } finally {
            lock.unlock();
        }
    }
}
