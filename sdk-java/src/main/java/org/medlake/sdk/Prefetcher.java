package org.medlake.sdk;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Loads the items of a fixed order ahead of one consumer, in parallel, holding at most a byte budget (by the items'
 * announced sizes) ahead of it, and hands them out in order. After a failed item the prefetched ones are dropped,
 * so the next call starts again at the failed item. Shared by the instance and volume iterators.
 */
final class Prefetcher<K, V> implements AutoCloseable {
    private final List<K> order;
    private final long budget;
    private final ToLongFunction<K> size;
    private final Function<K, V> load;
    private final ExecutorService pool;
    private final Deque<Pending<V>> inflight = new ArrayDeque<>();
    private long delivered;
    private int submitted;
    private long bytesAhead;

    private record Pending<V>(long bytes, Future<V> value) {}

    Prefetcher(List<K> order, long start, int threads, long budget, ToLongFunction<K> size, Function<K, V> load) {
        this.order = order;
        this.budget = budget;
        this.size = size;
        this.load = load;
        this.delivered = start;
        this.submitted = (int) start;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "medlake-dataset-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    long delivered() {
        return delivered;
    }

    long bytesAhead() {
        return bytesAhead;
    }

    boolean hasNext() {
        return delivered < order.size();
    }

    /** The key of the next item. */
    K peek() {
        return order.get((int) delivered);
    }

    /**
     * The next item, waiting for its load.
     *
     * @param where describes the next item and how to resume, for messages
     */
    V next(Supplier<String> where) {
        if (!hasNext()) {
            throw new NoSuchElementException(where.get() + ": no more items.");
        }
        topUp();
        Pending<V> head = inflight.removeFirst();
        V value;
        try {
            value = head.value().get();
        } catch (InterruptedException e) {
            restart();
            Thread.currentThread().interrupt();
            throw new MedlakeException(MedlakeException.Kind.EXTERNAL, 0, "Interrupted while waiting for "
                    + where.get() + ".", e);
        } catch (ExecutionException e) {
            restart();
            if (e.getCause() instanceof MedlakeException m) {
                throw m;
            }
            throw new MedlakeException(MedlakeException.Kind.INTERNAL, 0, "Prefetching " + where.get() + " failed: "
                    + e.getCause() + ".", e.getCause());
        }
        bytesAhead -= head.bytes();
        delivered++;
        topUp();
        return value;
    }

    private void restart() {
        for (Pending<V> p : inflight) {
            p.value().cancel(true);
        }
        inflight.clear();
        bytesAhead = 0;
        submitted = (int) delivered;
    }

    /** Starts loads in order while they fit the budget (always at least the next one). */
    private void topUp() {
        while (submitted < order.size()) {
            K k = order.get(submitted);
            long bytes = Math.max(1, size.applyAsLong(k));
            if (!inflight.isEmpty() && bytesAhead + bytes > budget) {
                return;
            }
            bytesAhead += bytes;
            inflight.addLast(new Pending<>(bytes, pool.submit(() -> load.apply(k))));
            submitted++;
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
