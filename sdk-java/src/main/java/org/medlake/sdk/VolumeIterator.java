package org.medlake.sdk;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Iterates one epoch of a {@link VolumeDataset} shard in its order, loading volumes ahead in parallel within the
 * dataset's memory budget. Not thread-safe: one consumer. Close it to stop the prefetch threads.
 */
public final class VolumeIterator implements Iterator<VolumeSample>, AutoCloseable {
    private final int epoch;
    private final String fingerprint;
    private final Prefetcher<VolumeDataset.Series, Volume> prefetch;

    VolumeIterator(MedlakeClient client, List<VolumeDataset.Series> order, DatasetPosition start, int threads,
            long budget) {
        this.epoch = start.epoch();
        this.fingerprint = start.fingerprint();
        this.prefetch = new Prefetcher<>(order, start.offset(), threads, budget, VolumeDataset.Series::bytes,
                s -> load(client, s));
    }

    /** The position of the next sample: resuming from it continues exactly here. */
    public DatasetPosition position() {
        return new DatasetPosition(epoch, prefetch.delivered(), fingerprint);
    }

    @Override
    public boolean hasNext() {
        return prefetch.hasNext();
    }

    /**
     * The next series' volume, waiting for it.
     *
     * @throws MedlakeException as {@link MedlakeClient#volume}, naming the series' project on 401/403/404; the
     *     position stays at that series, so calling {@code next()} again retries it
     */
    @Override
    public VolumeSample next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Epoch " + epoch + " of this shard has no more volumes.");
        }
        VolumeDataset.Series s = prefetch.peek();
        Volume v = prefetch.next(() -> "the volume of series " + s.uid() + " (volume " + prefetch.delivered()
                + " of epoch " + epoch + "; resume from " + position().token() + ")");
        return new VolumeSample(s.project(), s.uid(), s.patientId(), v, position());
    }

    private static Volume load(MedlakeClient client, VolumeDataset.Series s) {
        try {
            return client.volume(s.uid());
        } catch (MedlakeException e) {
            int st = e.status();
            if ((st == 401 || st == 403 || st == 404) && !e.getMessage().contains("'" + s.project() + "'")) {
                throw new MedlakeException(e.kind(), st, "The volume of series " + s.uid() + " of project '"
                        + s.project() + "' cannot be had: " + e.getMessage().replaceAll("[.\\s]+$", "")
                        + ". Check that you are a member of project '" + s.project() + "' and that the series was "
                        + "converted to NIfTI.", e);
            }
            throw e;
        }
    }

    /** Stops the prefetch threads; volumes not yet taken are dropped. */
    @Override
    public void close() {
        prefetch.close();
    }
}
