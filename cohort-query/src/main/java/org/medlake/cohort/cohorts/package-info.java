/**
 * Cohorts: named criteria of a project ({@link org.medlake.cohort.cohorts.Cohort}), frozen into immutable,
 * numbered versions with their exact member instances ({@link org.medlake.cohort.cohorts.CohortVersion},
 * {@link org.medlake.cohort.cohorts.Member}), stored in the lake's Delta tables {@code cohorts},
 * {@code cohort_versions} and {@code cohort_members} ({@link org.medlake.cohort.cohorts.CohortTables}) by
 * {@link org.medlake.cohort.cohorts.CohortStore}; compared with {@link org.medlake.cohort.cohorts.CohortDiff} and
 * exported with {@link org.medlake.cohort.cohorts.Manifest}. Delta is the source of truth, so cohorts survive an
 * index rebuild.
 */
package org.medlake.cohort.cohorts;
