package org.medlake.sdk;

import java.util.List;

/**
 * A split of a manifest by patient made by {@link Splits#trainValTest}: no patient appears in two lists. Each list
 * keeps the manifest's order.
 *
 * @param train the training instances
 * @param validation the validation instances
 * @param test the test instances
 */
public record TrainValTestSplit(List<ManifestEntry> train, List<ManifestEntry> validation, List<ManifestEntry> test) {

    /** Copies the lists so the value stays immutable. */
    public TrainValTestSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }
}
