package org.medlake.sdk;

import java.util.Objects;

/**
 * One series' volume delivered by a {@link VolumeIterator}.
 *
 * @param project the project the series belongs to
 * @param seriesInstanceUid the series
 * @param patientId its (pseudonymised) patient id, or {@code null} when unknown (see {@link ManifestEntry#patientId()})
 * @param volume the voxels and geometry
 * @param next the position right after this sample: resuming from it continues with the following one
 */
public record VolumeSample(String project, String seriesInstanceUid, String patientId, Volume volume,
        DatasetPosition next) {

    /** Checks the required parts. */
    public VolumeSample {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(next, "next");
    }
}
