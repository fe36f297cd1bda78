package org.medlake.sdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * How a dataset of a frozen version streams, shared by {@link Dataset} (items are instances) and
 * {@link VolumeDataset} (items are series): the shuffle seed, the shard, the prefetch settings, the per-epoch order
 * and the positions to resume from. Immutable.
 *
 * @param kind prefix of the fingerprint that keeps positions of one kind of dataset from being used by another
 */
record StreamPlan(CohortVersion version, String kind, Long seed, int rank, int worldSize, int threads, long budget) {

    /** Unshuffled, one shard. */
    static StreamPlan of(CohortVersion version, String kind, int threads, long budget) {
        return new StreamPlan(version, kind, null, 0, 1, threads, budget);
    }

    StreamPlan shuffle(long seed) {
        return new StreamPlan(version, kind, seed, rank, worldSize, threads, budget);
    }

    StreamPlan shard(int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "shard(" + rank + ", " + worldSize
                    + ") is not valid: worldSize must be at least 1 and rank between 0 and worldSize - 1.");
        }
        return new StreamPlan(version, kind, seed, rank, worldSize, threads, budget);
    }

    StreamPlan prefetch(int threads, long budget) {
        if (threads < 1 || budget < 1) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "prefetch(" + threads + ", " + budget
                    + ") is not valid: use at least 1 thread and a positive byte budget.");
        }
        return new StreamPlan(version, kind, seed, rank, worldSize, threads, budget);
    }

    /**
     * This shard's {@code items} in epoch {@code epoch}'s order: the given order without a seed; with one, ascending
     * hex SHA-256 of {@code "medlake-shuffle-v1|seed|epoch|cohortId|version|id"}; then every {@code worldSize}-th
     * from {@code rank}.
     */
    <T> List<T> order(List<T> items, Function<T, String> id, int epoch) {
        if (epoch < 0) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "Epoch " + epoch + " is negative; "
                    + "epochs count from 0.");
        }
        List<T> all = items;
        if (seed != null) {
            MessageDigest sha = sha256();
            List<String> keys = new ArrayList<>();
            for (T item : items) {
                keys.add(HexFormat.of().formatHex(sha.digest(("medlake-shuffle-v1|" + seed + "|" + epoch + "|"
                        + version.cohortId() + "|" + version.version() + "|" + id.apply(item))
                        .getBytes(StandardCharsets.UTF_8))));
            }
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                idx.add(i);
            }
            idx.sort(Comparator.comparing((Integer i) -> keys.get(i)).thenComparing(i -> id.apply(items.get(i))));
            all = idx.stream().map(items::get).toList();
        }
        List<T> mine = new ArrayList<>();
        for (int i = rank; i < all.size(); i += worldSize) {
            mine.add(all.get(i));
        }
        return List.copyOf(mine);
    }

    /** The start of epoch {@code epoch}. */
    DatasetPosition start(int epoch) {
        return new DatasetPosition(epoch, 0, fingerprint());
    }

    /**
     * The epoch order a position continues in.
     *
     * @throws MedlakeException USER_ERROR if the position belongs to another configuration or lies beyond the end
     */
    <T> List<T> resume(DatasetPosition position, List<T> items, Function<T, String> id) {
        if (!position.fingerprint().equals(fingerprint())) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "The position " + position.token()
                    + " was taken from another dataset (kind, cohort, version, seed or shard differ from "
                    + (kind.isEmpty() ? "the instances" : "the volumes") + " of cohort '" + version.cohort() + "' v"
                    + version.version() + ", seed " + seed + ", shard " + rank + "/" + worldSize
                    + "). Resume with the same configuration.");
        }
        List<T> order = order(items, id, position.epoch());
        if (position.offset() > order.size()) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "The position " + position.token()
                    + " lies beyond the " + order.size() + " items of this shard's epoch.");
        }
        return order;
    }

    /** 16 hex digits identifying kind, cohort, version, seed and shard. */
    String fingerprint() {
        byte[] config = (kind + version.cohortId() + "|" + version.version() + "|" + seed + "|" + rank + "|"
                + worldSize).getBytes(StandardCharsets.UTF_8);
        return HexFormat.of().formatHex(sha256().digest(config)).substring(0, 16);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new MedlakeException(MedlakeException.Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
        }
    }
}
