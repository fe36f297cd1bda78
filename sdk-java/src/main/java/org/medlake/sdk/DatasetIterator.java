package org.medlake.sdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Iterates one epoch of a {@link Dataset} shard in its order, downloading ahead in parallel within the dataset's
 * memory budget. Samples come in exactly the order of {@link Dataset#order}. Not thread-safe: one consumer. Close it
 * to stop the prefetch threads.
 */
public final class DatasetIterator implements Iterator<Sample>, AutoCloseable {
    private final MedlakeClient client;
    private final List<ManifestEntry> order;
    private final int epoch;
    private final String fingerprint;
    private final long budget;
    private final ExecutorService pool;
    private final Deque<Pending> inflight = new ArrayDeque<>();
    private long delivered;
    private int submitted;
    private long bytesAhead;

    private record Pending(long bytes, Future<ByteBuffer> data) {}

    DatasetIterator(MedlakeClient client, List<ManifestEntry> order, DatasetPosition start, int threads, long budget) {
        this.client = client;
        this.order = order;
        this.epoch = start.epoch();
        this.fingerprint = start.fingerprint();
        this.budget = budget;
        this.delivered = start.offset();
        this.submitted = (int) start.offset();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "medlake-dataset-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** The position of the next sample: resuming from it continues exactly here. */
    public DatasetPosition position() {
        return new DatasetPosition(epoch, delivered, fingerprint);
    }

    /** Bytes downloaded or in flight ahead of the consumer, by the manifest's sizes (at most the budget, or one file). */
    public long bytesAhead() {
        return bytesAhead;
    }

    @Override
    public boolean hasNext() {
        return delivered < order.size();
    }

    /**
     * The next sample, waiting for its download.
     *
     * @throws MedlakeException as {@link MedlakeClient#fetch} when the file cannot be had; the position stays at
     *     that sample, so calling {@code next()} again (or resuming from {@link #position()}) retries it
     */
    @Override
    public Sample next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch " + epoch + " of this shard has no more samples.");
        }
        topUp();
        Pending head = inflight.removeFirst();
        ByteBuffer data;
        try {
            data = head.data().get();
        } catch (InterruptedException e) {
            restart();
            Thread.currentThread().interrupt();
            throw new MedlakeException(MedlakeException.Kind.EXTERNAL, 0, "Interrupted while waiting for sample "
                    + delivered + " of epoch " + epoch + "; resume from " + position().token() + ".", e);
        } catch (ExecutionException e) {
            restart();
            if (e.getCause() instanceof MedlakeException m) {
                throw m;
            }
            throw new MedlakeException(MedlakeException.Kind.INTERNAL, 0, "Prefetching sample " + delivered
                    + " failed: " + e.getCause() + "; resume from " + position().token() + ".", e.getCause());
        }
        bytesAhead -= head.bytes();
        ManifestEntry entry = order.get((int) delivered);
        delivered++;
        topUp();
        return new Sample(entry, data, position());
    }

    /** After a failed sample: drops the prefetched ones so that the next call starts again at the failed sample. */
    private void restart() {
        for (Pending p : inflight) {
            p.data().cancel(true);
        }
        inflight.clear();
        bytesAhead = 0;
        submitted = (int) delivered;
    }

    /** Starts downloads in order while they fit the budget (always at least the next one). */
    private void topUp() {
        while (submitted < order.size()) {
            ManifestEntry e = order.get(submitted);
            long size = Math.max(1, e.sizeBytes());
            if (!inflight.isEmpty() && bytesAhead + size > budget) {
                return;
            }
            bytesAhead += size;
            inflight.addLast(new Pending(size, pool.submit(() -> read(e))));
            submitted++;
        }
    }

    private ByteBuffer read(ManifestEntry e) {
        if (client instanceof org.medlake.sdk.internal.HttpMedlakeClient http) {
            return http.fetchBytes(e); // the same cache and checks as fetch, without reading the file back
        }
        try {
            return ByteBuffer.wrap(Files.readAllBytes(client.fetch(e)));
        } catch (IOException x) {
            throw new MedlakeException(MedlakeException.Kind.EXTERNAL, 0, "The cached file of instance "
                    + e.sopInstanceUid() + " of project '" + e.project() + "' could not be read: " + x
                    + ". Check the cache directory's disk.", x);
        }
    }

    /** Stops the prefetch threads; samples not yet taken are dropped. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
