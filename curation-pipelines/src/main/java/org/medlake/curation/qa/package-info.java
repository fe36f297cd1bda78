/**
 * Image quality metrics per series (MR SNR, EPI ghosting, tSNR, CT noise/air/water, BitsStored range, blank and
 * saturated frames) judged by a versioned thresholds file, PNG mosaics for review, and the {@code qa} CLI
 * ({@link org.medlake.curation.qa.QaMain}). Formulas are documented on {@link org.medlake.curation.qa.QaMetrics}.
 */
package org.medlake.curation.qa;
