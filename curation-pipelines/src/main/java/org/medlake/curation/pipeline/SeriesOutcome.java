package org.medlake.curation.pipeline;

import java.util.List;
import java.util.Map;

/**
 * Everything curation decided about one series: the de-identification roll-up and findings, completeness,
 * classification and QA. Immutable; produced by {@link SeriesCurator}, written by {@link CurateJob}.
 *
 * @param problems instances that could not be read, as {@code sop: reason}; they count as de-identification FAILs
 *     (an unreadable file cannot be shown to be clean)
 */
public record SeriesOutcome(String seriesInstanceUid, String studyInstanceUid, String project, String modality,
                            int instanceCount, String inputFingerprint,
                            String deidStatus, int deidFailInstances, int deidReviewInstances, List<String> deidRules,
                            List<FindingRow> findings,
                            String completenessStatus, List<String> completenessReasons,
                            String seriesType, double seriesTypeConfidence, List<String> classificationEvidence,
                            Map<String, String> classificationAttributes,
                            String qaStatus, List<MetricRow> metrics, String thumbnail, List<String> problems) {

    /** One de-identification finding of one instance; {@code hint} is redacted, never the value. */
    public record FindingRow(String sopInstanceUid, String severity, String tag, String keyword, String location,
                             String rule, String basis, String reason, String hint) {}

    /** One QA metric; {@code value} is null when it could not be computed. */
    public record MetricRow(String metric, Double value, String unit, String status, String formula) {}

    public SeriesOutcome {
        deidRules = List.copyOf(deidRules);
        findings = List.copyOf(findings);
        completenessReasons = List.copyOf(completenessReasons);
        classificationEvidence = List.copyOf(classificationEvidence);
        classificationAttributes = Map.copyOf(classificationAttributes);
        metrics = List.copyOf(metrics);
        problems = List.copyOf(problems);
    }
}
