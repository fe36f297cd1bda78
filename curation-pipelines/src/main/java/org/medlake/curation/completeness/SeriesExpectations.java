package org.medlake.curation.completeness;

/**
 * Counts known from outside the instances themselves (a PACS query's NumberOfSeriesRelatedInstances, a protocol),
 * each optional ({@code null} = unknown). Counts announced inside the headers (ImagesInAcquisition,
 * NumberOfTemporalPositions, NumberOfFrames) are checked without this.
 *
 * @param instances expected number of instances in the series
 * @param slicesPerVolume expected number of distinct slice positions per volume
 * @param volumes expected number of volumes (echoes x temporal positions x repetitions)
 */
public record SeriesExpectations(Integer instances, Integer slicesPerVolume, Integer volumes) {
    /** No expectations. */
    public static SeriesExpectations none() {
        return new SeriesExpectations(null, null, null);
    }
}
