package io.kavach.ledger.testing;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * What the service spent on a request, measured as CPU time and allocated bytes of every thread
 * of this JVM but the caller's (the test thread is the HTTP client): event loops, workers and
 * ledger lanes alike, since a request hops between them. Never wall time. Background threads add
 * a little noise upwards, so a bound checked against this is conservative.
 */
public final class ServerCost {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** CPU nanoseconds and allocated bytes. */
    public record Cost(long cpuNanos, long allocatedBytes) {
        public double cpuMillis() {
            return cpuNanos / 1e6;
        }
    }

    private final Map<Long, long[]> start;

    private ServerCost(Map<Long, long[]> start) {
        this.start = start;
    }

    /** Starts measuring. */
    public static ServerCost start() {
        if (!THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        if (!THREADS.isThreadAllocatedMemoryEnabled()) {
            THREADS.setThreadAllocatedMemoryEnabled(true);
        }
        return new ServerCost(sample());
    }

    /** What the other threads spent since {@link #start()} (threads that ended meanwhile are not counted). */
    public Cost stop() {
        Map<Long, long[]> end = sample();
        long cpu = 0;
        long allocated = 0;
        for (Map.Entry<Long, long[]> thread : end.entrySet()) {
            long[] before = start.getOrDefault(thread.getKey(), new long[] {0, 0});
            cpu += Math.max(0, thread.getValue()[0] - before[0]);
            allocated += Math.max(0, thread.getValue()[1] - before[1]);
        }
        return new Cost(cpu, allocated);
    }

    private static Map<Long, long[]> sample() {
        long self = Thread.currentThread().getId();
        long[] ids = THREADS.getAllThreadIds();
        long[] cpu = THREADS.getThreadCpuTime(ids);
        long[] allocated = THREADS.getThreadAllocatedBytes(ids);
        Map<Long, long[]> sample = new HashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] != self && cpu[i] >= 0) {
                sample.put(ids[i], new long[] {cpu[i], Math.max(0, allocated[i])});
            }
        }
        return sample;
    }
}
