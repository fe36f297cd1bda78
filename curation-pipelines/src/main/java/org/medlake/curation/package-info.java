/**
 * Curation of every new series: de-identification check, completeness, classification, QA and NIfTI conversion.
 * Built by issues 3/8 and 4/8; the module exists now so that the build and its boundaries are in place.
 */
package org.medlake.curation;
