/**
 * Series classification: modality plus series type from the acquisition itself.
 *
 * <ul>
 *   <li>{@link org.medlake.curation.classify.SeriesFeatures} extracts named, immutable per-series features from
 *       instance headers (classic and enhanced multi-frame MR/CT, vendor private b-values) or from a flat map.</li>
 *   <li>{@link org.medlake.curation.classify.RuleSet} loads the versioned rules ({@code classification-rules-v1.json}
 *       by default) and rejects malformed files with {@code CURATION_BAD_CONFIG} naming the rule and field.</li>
 *   <li>{@link org.medlake.curation.classify.SeriesClassifier} turns features into a
 *       {@link org.medlake.curation.classify.Classification}: series type, confidence, evidence and, for CT and
 *       projection radiography, attribute axes (CT {@code dose}, {@code contrast}, {@code body_region}).</li>
 *   <li>{@link org.medlake.curation.classify.ClassifyMain} is the {@code classify PATH... [--rules FILE] [--json]}
 *       command.</li>
 * </ul>
 *
 * Series descriptions are weak evidence: rules that read them must be {@code weak}, and weak votes decide only when
 * no acquisition-based rule voted.
 */
package org.medlake.curation.classify;
