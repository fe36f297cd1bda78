package org.medlake.sdk;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A frozen cohort version's instances as a stream for training: an immutable description (what to read, in which
 * order, which shard, how much to prefetch) from which {@link #iterator} opens a {@link DatasetIterator}.
 *
 * <pre>{@code
 * Dataset ds = Dataset.of(client, client.manifest("demo", "mr", 1))
 *         .shuffle(42).shard(rank, worldSize).prefetch(8, 256L << 20);
 * try (DatasetIterator it = ds.iterator(epoch)) {
 *     while (it.hasNext()) { Sample s = it.next(); ... checkpoint(it.position().token()); }
 * }
 * }</pre>
 *
 * <p><b>Order.</b> Without {@link #shuffle} the order is the manifest's (series, then SOP Instance UID). With a
 * seed, epoch {@code e} orders the entries by hex SHA-256 of {@code "medlake-shuffle-v1|" + seed + "|" + e + "|" +
 * cohortId + "|" + version + "|" + sopInstanceUid}: the same on every machine, different per epoch, independent of
 * the order of the entries given. <b>Sharding.</b> Shard {@code rank} of {@code worldSize} takes the positions
 * {@code i} of that order with {@code i % worldSize == rank}: shards are disjoint, together cover every entry
 * each epoch, and differ in size by at most one. <b>Resume.</b> A {@link DatasetPosition} names the epoch and the
 * number of samples already delivered from this shard's order; {@link #iterator(DatasetPosition)} continues with
 * exactly the next one.
 */
public final class Dataset {
    private final MedlakeClient client;
    private final List<ManifestEntry> entries;
    private final StreamPlan plan;

    private Dataset(MedlakeClient client, List<ManifestEntry> entries, StreamPlan plan) {
        this.client = client;
        this.entries = entries;
        this.plan = plan;
    }

    /**
     * A dataset of every entry of {@code manifest}, unshuffled, one shard, prefetching with 4 threads within 64 MiB.
     * Files are read through {@link MedlakeClient#fetch} (verified cache, retries).
     */
    public static Dataset of(MedlakeClient client, CohortManifest manifest) {
        return of(client, manifest.version(), manifest.entries());
    }

    /**
     * A dataset of some entries of a frozen version, e.g. one list of a {@link Splits#trainValTest} split, ordered by
     * series then SOP Instance UID, unshuffled, one shard, prefetching with 4 threads within 64 MiB.
     */
    public static Dataset of(MedlakeClient client, CohortVersion version, List<ManifestEntry> entries) {
        List<ManifestEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(ManifestEntry::seriesInstanceUid)
                .thenComparing(ManifestEntry::sopInstanceUid));
        return new Dataset(Objects.requireNonNull(client, "client"), List.copyOf(sorted),
                StreamPlan.of(Objects.requireNonNull(version, "version"), "", 4, 64L << 20));
    }

    /** The same dataset shuffled per epoch from {@code seed}. */
    public Dataset shuffle(long seed) {
        return new Dataset(client, entries, plan.shuffle(seed));
    }

    /**
     * The same dataset restricted to shard {@code rank} of {@code worldSize} (e.g. the process's rank in distributed
     * training).
     *
     * @throws MedlakeException USER_ERROR unless {@code 0 <= rank < worldSize}
     */
    public Dataset shard(int rank, int worldSize) {
        return new Dataset(client, entries, plan.shard(rank, worldSize));
    }

    /**
     * The same dataset prefetching with {@code threads} parallel downloads, holding at most
     * {@code memoryBudgetBytes} of file bytes (by the manifest's sizes) ahead of the consumer; a single file larger
     * than the budget is still read, alone.
     *
     * @throws MedlakeException USER_ERROR if {@code threads < 1} or the budget is not positive
     */
    public Dataset prefetch(int threads, long memoryBudgetBytes) {
        return new Dataset(client, entries, plan.prefetch(threads, memoryBudgetBytes));
    }

    /** This shard's entries in the order of epoch {@code epoch}. */
    public List<ManifestEntry> order(int epoch) {
        return plan.order(entries, ManifestEntry::sopInstanceUid, epoch);
    }

    /** Opens epoch {@code epoch} from its start. The caller closes the iterator. */
    public DatasetIterator iterator(int epoch) {
        return iterator(plan.start(epoch));
    }

    /**
     * Continues from a position (a sample's {@link Sample#next()} or {@link DatasetIterator#position()}).
     *
     * @throws MedlakeException USER_ERROR if the position belongs to another dataset configuration (cohort,
     *     version, seed or shard) or lies beyond the epoch's end
     */
    public DatasetIterator iterator(DatasetPosition position) {
        List<ManifestEntry> order = plan.resume(position, entries, ManifestEntry::sopInstanceUid);
        return new DatasetIterator(client, order, position, plan.threads(), plan.budget());
    }

    /** 16 hex digits identifying cohort, version, seed and shard. */
    String fingerprint() {
        return plan.fingerprint();
    }
}
