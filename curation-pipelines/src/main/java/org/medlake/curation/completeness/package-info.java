/**
 * Series and study completeness from instance headers: duplicates, InstanceNumber gaps, missing slices and uneven
 * spacing along the slice normal, mixed orientation or matrix, announced counts and the geometry NIfTI needs.
 * Entry points: {@link org.medlake.curation.completeness.InstanceGeometry#from},
 * {@link org.medlake.curation.completeness.CompletenessChecker#check} and
 * {@link org.medlake.curation.completeness.StudyCompleteness#of}.
 */
package org.medlake.curation.completeness;
