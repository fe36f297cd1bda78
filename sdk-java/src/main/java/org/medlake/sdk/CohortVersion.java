package org.medlake.sdk;

import java.time.Instant;

/**
 * One frozen version of a cohort: an immutable list of instances.
 *
 * @param cohortId the id of the cohort
 * @param project the project of the cohort
 * @param cohort the cohort's name
 * @param version the version number, 1, 2, ...
 * @param frozenAt when it was frozen
 * @param frozenBy user name of who froze it
 * @param seriesCount number of series
 * @param instanceCount number of instances
 * @param sizeBytes total size of the instances' files, or -1 when the answer it came from does not report it
 * @param membersSha256 SHA-256 over the members, identifies the content of the version
 */
public record CohortVersion(
        String cohortId,
        String project,
        String cohort,
        int version,
        Instant frozenAt,
        String frozenBy,
        long seriesCount,
        long instanceCount,
        long sizeBytes,
        String membersSha256) {}
