package org.medlake.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * The work items of a run, filled by one producer (a listing) while consumers already take them by index, so that
 * processing starts with the first files found instead of after the whole tree is listed. Thread-safe.
 */
final class WorkList {
    private final List<String> items = new ArrayList<>();
    private boolean closed;
    private RuntimeException failure;

    /** A list that is complete from the start. */
    static WorkList of(List<String> items) {
        WorkList w = new WorkList();
        w.addAll(items);
        w.close(null);
        return w;
    }

    /** Appends items (the producer). */
    synchronized void addAll(List<String> more) {
        items.addAll(more);
        notifyAll();
    }

    /** Ends the list; {@code failure}, when not null, is rethrown to consumers that wait past the end. */
    synchronized void close(RuntimeException failure) {
        closed = true;
        this.failure = failure;
        notifyAll();
    }

    /**
     * The item at {@code index}, waiting until the producer has listed it; {@code null} when the list ended before
     * it.
     *
     * @throws RuntimeException the producer's failure, when the list ended with one
     */
    synchronized String get(int index) throws InterruptedException {
        while (index >= items.size() && !closed) {
            wait();
        }
        if (index < items.size()) {
            return items.get(index);
        }
        if (failure != null) {
            throw failure;
        }
        return null;
    }

    /** The number of items listed so far (all of them once closed). */
    synchronized int size() {
        return items.size();
    }

    synchronized boolean isClosed() {
        return closed;
    }
}
