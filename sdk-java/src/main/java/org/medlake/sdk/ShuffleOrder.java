package org.medlake.sdk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/** The deterministic per-epoch order and sharding shared by {@link Dataset} and {@link VolumeDataset}. */
final class ShuffleOrder {
    private ShuffleOrder() {}

    /**
     * Shard {@code rank} of {@code worldSize} of {@code items} in epoch {@code epoch}'s order: the given order without
     * a seed; with one, ascending hex SHA-256 of {@code "medlake-shuffle-v1|seed|epoch|cohortId|version|id"}.
     */
    static <T> List<T> of(List<T> items, Function<T, String> id, Long seed, int epoch, CohortVersion version,
            int rank, int worldSize) {
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

    /** 16 hex digits identifying a dataset configuration. */
    static String fingerprint(String configuration) {
        return HexFormat.of().formatHex(sha256().digest(configuration.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    static void checkShard(int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "shard(" + rank + ", " + worldSize
                    + ") is not valid: worldSize must be at least 1 and rank between 0 and worldSize - 1.");
        }
    }

    static void checkPrefetch(int threads, long memoryBudgetBytes) {
        if (threads < 1 || memoryBudgetBytes < 1) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0, "prefetch(" + threads + ", "
                    + memoryBudgetBytes + ") is not valid: use at least 1 thread and a positive byte budget.");
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new MedlakeException(MedlakeException.Kind.INTERNAL, 0, "This JVM has no SHA-256", e);
        }
    }
}
