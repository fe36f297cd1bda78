package org.medlake.sdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A frozen cohort version's series as NIfTI volumes for training: the series-level counterpart of {@link Dataset},
 * with the same contracts for order, shuffling, sharding, prefetch and resume, where an item is a series (its
 * {@link Volume} from {@link MedlakeClient#volume}) instead of an instance.
 *
 * <pre>{@code
 * VolumeDataset ds = VolumeDataset.of(client, manifest.version(), split.train())
 *         .shuffle(42).shard(rank, worldSize).prefetch(4, 512L << 20);
 * try (VolumeIterator it = ds.iterator(epoch)) {
 *     while (it.hasNext()) { Volume v = it.next().volume(); ByteBuffer voxels = v.data(); ... }
 * }
 * }</pre>
 *
 * <p>Series are ordered by Series Instance UID, shuffled per epoch by the SHA-256 key {@link Dataset} uses with the
 * series UID in place of the SOP Instance UID. The memory budget counts each series by the size of its DICOM
 * instances in the manifest (a volume's voxels are usually of that order). Positions of a volume dataset are not
 * accepted by an instance dataset of the same cohort, and the other way round.
 */
public final class VolumeDataset {
    /** A series of the manifest: its project, patient and the bytes of its instances. */
    record Series(String project, String uid, String patientId, long bytes) {}

    private final MedlakeClient client;
    private final List<Series> series;
    private final StreamPlan plan;

    private VolumeDataset(MedlakeClient client, List<Series> series, StreamPlan plan) {
        this.client = client;
        this.series = series;
        this.plan = plan;
    }

    /** Every series of {@code manifest}: unshuffled, one shard, 2 threads within 256 MiB. */
    public static VolumeDataset of(MedlakeClient client, CohortManifest manifest) {
        return of(client, manifest.version(), manifest.entries());
    }

    /** The series of some entries of a frozen version (e.g. one list of a split): as {@link #of(MedlakeClient, CohortManifest)}. */
    public static VolumeDataset of(MedlakeClient client, CohortVersion version, List<ManifestEntry> entries) {
        Map<String, Series> bySeries = new LinkedHashMap<>();
        for (ManifestEntry e : entries) {
            bySeries.merge(e.seriesInstanceUid(), new Series(e.project(), e.seriesInstanceUid(), e.patientId(),
                    e.sizeBytes()), (a, b) -> new Series(a.project(), a.uid(), a.patientId(), a.bytes() + b.bytes()));
        }
        List<Series> sorted = new ArrayList<>(bySeries.values());
        sorted.sort((a, b) -> a.uid().compareTo(b.uid()));
        return new VolumeDataset(Objects.requireNonNull(client, "client"), List.copyOf(sorted),
                StreamPlan.of(Objects.requireNonNull(version, "version"), "volumes|", 2, 256L << 20));
    }

    /** The same dataset shuffled per epoch from {@code seed}. */
    public VolumeDataset shuffle(long seed) {
        return new VolumeDataset(client, series, plan.shuffle(seed));
    }

    /**
     * The same dataset restricted to shard {@code rank} of {@code worldSize}.
     *
     * @throws MedlakeException USER_ERROR unless {@code 0 <= rank < worldSize}
     */
    public VolumeDataset shard(int rank, int worldSize) {
        return new VolumeDataset(client, series, plan.shard(rank, worldSize));
    }

    /**
     * The same dataset loading {@code threads} volumes in parallel within {@code memoryBudgetBytes} ahead of the
     * consumer (a single series larger than the budget is still loaded, alone).
     *
     * @throws MedlakeException USER_ERROR if {@code threads < 1} or the budget is not positive
     */
    public VolumeDataset prefetch(int threads, long memoryBudgetBytes) {
        return new VolumeDataset(client, series, plan.prefetch(threads, memoryBudgetBytes));
    }

    /** This shard's Series Instance UIDs in the order of epoch {@code epoch}. */
    public List<String> order(int epoch) {
        return plan.order(series, Series::uid, epoch).stream().map(Series::uid).toList();
    }

    /** Opens epoch {@code epoch} from its start. The caller closes the iterator. */
    public VolumeIterator iterator(int epoch) {
        return iterator(plan.start(epoch));
    }

    /**
     * Continues from a position ({@link VolumeSample#next()} or {@link VolumeIterator#position()}).
     *
     * @throws MedlakeException USER_ERROR if the position belongs to another dataset configuration or lies beyond
     *     the epoch's end
     */
    public VolumeIterator iterator(DatasetPosition position) {
        List<Series> order = plan.resume(position, series, Series::uid);
        return new VolumeIterator(client, order, position, plan.threads(), plan.budget());
    }
}
