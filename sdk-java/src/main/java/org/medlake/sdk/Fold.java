package org.medlake.sdk;

import java.util.List;

/**
 * One fold of {@link Splits#kFold}: its validation patients' instances and everybody else's. Each list keeps the
 * manifest's order.
 *
 * @param index the fold number, 0 to k-1
 * @param train the instances of the patients of the other folds
 * @param validation the instances of this fold's patients
 */
public record Fold(int index, List<ManifestEntry> train, List<ManifestEntry> validation) {

    /** Copies the lists so the value stays immutable. */
    public Fold {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
