package org.medlake.cohort.cohorts;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * One frozen, immutable version of a cohort: what was frozen, from which table versions, by whom and when. The
 * members themselves are in {@link CohortTables#COHORT_MEMBERS} under {@link #freezeId()}.
 *
 * @param cohortId              the cohort
 * @param project               the cohort's project
 * @param version               1, 2, ... per cohort
 * @param freezeId              random UUID keying the member rows of this version
 * @param query                 the criteria that selected the members (compact JSON)
 * @param instancesVersion      version of the {@code instances} table the members were read at (-1 = absent)
 * @param seriesCurationVersion version of {@code series_curation} the release rule was applied at (-1 = absent)
 * @param deidOverridesVersion  version of {@code deid_overrides} the release rule was applied at (-1 = absent)
 * @param codeVersions          the distinct {@code series_curation.code_version} values of the members, sorted
 * @param seriesCount           number of member series
 * @param instanceCount         number of member instances
 * @param sizeBytes             total bytes of the member instances
 * @param membersSha256         {@link Member#fingerprint} of the member list
 * @param frozenBy              user name of who froze it
 * @param frozenAt              when (microsecond precision)
 */
public record CohortVersion(String cohortId, String project, int version, String freezeId, String query,
                            long instancesVersion, long seriesCurationVersion, long deidOverridesVersion,
                            List<String> codeVersions, int seriesCount, long instanceCount, long sizeBytes,
                            String membersSha256, String frozenBy, Instant frozenAt) {
    public CohortVersion {
        Objects.requireNonNull(cohortId, "cohortId");
        Objects.requireNonNull(freezeId, "freezeId");
        codeVersions = List.copyOf(codeVersions);
        frozenAt = Objects.requireNonNull(frozenAt, "frozenAt").truncatedTo(ChronoUnit.MICROS);
    }
}
