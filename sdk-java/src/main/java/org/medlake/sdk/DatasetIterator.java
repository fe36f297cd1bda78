package org.medlake.sdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates one epoch of a {@link Dataset} shard in its order, downloading ahead in parallel within the dataset's
 * memory budget. Samples come in exactly the order of {@link Dataset#order}. Not thread-safe: one consumer. Close it
 * to stop the prefetch threads.
 */
public final class DatasetIterator implements Iterator<Sample>, AutoCloseable {
    private final List<ManifestEntry> order;
    private final int epoch;
    private final String fingerprint;
    private final Prefetcher<ManifestEntry, ByteBuffer> prefetch;

    DatasetIterator(MedlakeClient client, List<ManifestEntry> order, DatasetPosition start, int threads, long budget) {
        this.order = order;
        this.epoch = start.epoch();
        this.fingerprint = start.fingerprint();
        this.prefetch = new Prefetcher<>(order, start.offset(), threads, budget, ManifestEntry::sizeBytes,
                e -> read(client, e));
    }

    /** The position of the next sample: resuming from it continues exactly here. */
    public DatasetPosition position() {
        return new DatasetPosition(epoch, prefetch.delivered(), fingerprint);
    }

    /** Bytes downloaded or in flight ahead of the consumer, by the manifest's sizes (at most the budget, or one file). */
    public long bytesAhead() {
        return prefetch.bytesAhead();
    }

    @Override
    public boolean hasNext() {
        return prefetch.hasNext();
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
        ManifestEntry entry = prefetch.peek();
        ByteBuffer data = prefetch.next(() -> "sample " + prefetch.delivered() + " of epoch " + epoch
                + " (resume from " + position().token() + ")");
        return new Sample(entry, data, position());
    }

    private static ByteBuffer read(MedlakeClient client, ManifestEntry e) {
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
        prefetch.close();
    }
}
