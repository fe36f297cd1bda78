package org.medlake.sdk;

import java.util.Map;

/**
 * One series as the search index describes it.
 *
 * @param seriesInstanceUid Series Instance UID
 * @param studyInstanceUid Study Instance UID
 * @param patientId the (pseudonymised) patient identifier
 * @param modality DICOM modality, e.g. {@code MR}
 * @param project the project the series belongs to
 * @param seriesDescription Series Description, may be {@code null}
 * @param instanceCount number of instances in the lake
 * @param attributes every indexed field of the series, by name
 */
public record SeriesSummary(
        String seriesInstanceUid,
        String studyInstanceUid,
        String patientId,
        String modality,
        String project,
        String seriesDescription,
        long instanceCount,
        Map<String, Object> attributes) {

    /** Copies {@code attributes} so the value stays immutable. */
    public SeriesSummary {
        attributes = Map.copyOf(attributes);
    }
}
