package org.medlake.sdk;

/**
 * One instance of a frozen cohort version's manifest.
 *
 * @param project the project the instance belongs to
 * @param seriesInstanceUid Series Instance UID
 * @param sopInstanceUid SOP Instance UID
 * @param sha256 lower-case hex SHA-256 of the DICOM file
 * @param sizeBytes file size in bytes
 * @param downloadUrl the file's path relative to the API base URL ({@code /api/v1/instances/{sop}/file})
 * @param patientId the (pseudonymised) patient identifier of the series, or {@code null} when the server's search
 *     no longer returns the series (e.g. its release was revoked after the freeze)
 */
public record ManifestEntry(
        String project,
        String seriesInstanceUid,
        String sopInstanceUid,
        String sha256,
        long sizeBytes,
        String downloadUrl,
        String patientId) {

    /**
     * The key that groups entries for {@link Splits}: the patient id, or {@code "series:" + seriesInstanceUid} when
     * the patient id is unknown (such a series is then kept together but cannot be matched to other series).
     */
    public String patientKey() {
        return patientId != null ? "patient:" + patientId : "series:" + seriesInstanceUid;
    }
}
