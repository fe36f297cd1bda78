package org.medlake.curation.pipeline;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.medlake.curation.classify.Classification;
import org.medlake.curation.classify.SeriesClassifier;
import org.medlake.curation.classify.SeriesFeatures;
import org.medlake.curation.completeness.Reason;
import org.medlake.deid.DeidChecker;
import org.medlake.deid.DeidReport;
import org.medlake.deid.Finding;
import org.medlake.curation.qa.Metric;
import org.medlake.curation.qa.QaThresholds;
import org.medlake.curation.qa.SeriesInspection;
import org.medlake.curation.qa.SeriesQa;

/**
 * Curates one series from its instances' bytes: de-identification check per instance (rolled up to the worst
 * status), completeness, classification, and QA with a thumbnail, in that order, because QA needs the series type.
 * Plain Java: the curation job maps it over series, and tests call it directly.
 */
public final class SeriesCurator {
    /** Identity of the series being curated, as the lake knows it. */
    public record Series(String seriesInstanceUid, String studyInstanceUid, String project, String modality,
                         String inputFingerprint) {}

    /** What one call produces: the outcome and the thumbnail's PNG bytes (null when there were no pixels). */
    public record Curated(SeriesOutcome outcome, byte[] thumbnailPng) {}

    private final DeidChecker deid;
    private final SeriesClassifier classifier;
    private final QaThresholds thresholds;
    private final String codeVersion;

    public SeriesCurator(DeidChecker deid, SeriesClassifier classifier, QaThresholds thresholds, String codeVersion) {
        this.deid = deid;
        this.classifier = classifier;
        this.thresholds = thresholds;
        this.codeVersion = codeVersion;
    }

    /** The bundled de-identification profile, classification rules and QA thresholds. */
    public static SeriesCurator defaults() {
        DeidChecker deid = new DeidChecker();
        SeriesClassifier classifier = SeriesClassifier.withDefaults();
        QaThresholds thresholds = QaThresholds.defaults();
        return new SeriesCurator(deid, classifier, thresholds, CodeVersion.describe(deid.profile().name() + " "
                + deid.profile().version(), classifier.rules().version(), thresholds.version()));
    }

    /** Names the code and the versions of every rule set, as recorded in {@code curation_log}. */
    public String codeVersion() {
        return codeVersion;
    }

    /** One instance's bytes, under the URI used in notes. */
    public record Instance(String uri, byte[] bytes) {}

    /**
     * Curates a series. {@code thumbnail} is the lake-relative path the caller will store the PNG at (recorded in
     * the outcome when there is one); {@code notes} receives remarks about single instances.
     */
    public Curated curate(Series series, Iterable<Instance> instances, String thumbnail, Consumer<String> notes) {
        SeriesInspection inspection = new SeriesInspection(series.seriesInstanceUid());
        List<AttributeList> headers = new ArrayList<>();
        List<SeriesOutcome.FindingRow> findings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        TreeSet<String> rules = new TreeSet<>();
        int fail = 0;
        int review = 0;
        for (Instance instance : instances) {
            SeriesInspection.Parsed parsed = SeriesInspection.parse(instance.uri(), instance.bytes(), notes);
            if (parsed == null) {
                problems.add(instance.uri() + ": not readable as DICOM");
                fail++; // an instance that cannot be read cannot be shown to be de-identified
                continue;
            }
            DeidReport report = deid.check(parsed.list());
            switch (report.status()) {
                case FAIL -> fail++;
                case REVIEW -> review++;
                default -> { }
            }
            for (Finding f : report.findings()) {
                rules.add(f.rule());
                findings.add(new SeriesOutcome.FindingRow(report.sopInstanceUid(), f.severity().name(), f.tag(),
                        f.keyword(), f.location(), f.rule(), f.basis(), f.reason(), f.hint()));
            }
            inspection.add(instance.uri(), parsed, notes);
            // Only headers are needed from here on: the inspection keeps decoded frames within its budget.
            parsed.list().remove(TagFromName.PixelData);
            headers.add(parsed.list());
        }
        String deidStatus = fail > 0 ? "FAIL" : review > 0 ? "REVIEW" : "PASS";

        Classification c = headers.isEmpty() ? null : classifier.classify(SeriesFeatures.from(headers));
        String type = c == null ? "OTHER" : c.seriesType();
        String qaType = type.equals("BOLD") || type.equals("DWI") || type.equals("PERFUSION") ? type : null;
        SeriesInspection.Evaluated e = inspection.evaluate(new SeriesQa(thresholds), qaType);
        List<String> reasons = new ArrayList<>();
        for (Reason r : e.completeness().reasons()) {
            reasons.add(r.code() + ": " + r.message());
        }
        List<SeriesOutcome.MetricRow> metrics = new ArrayList<>();
        for (Metric m : e.qa().metrics()) {
            metrics.add(new SeriesOutcome.MetricRow(m.name(), m.value(), m.unit(), m.status().name(), m.formulaId()));
        }
        if (inspection.skippedForBudget() > 0) {
            notes.accept(series.seriesInstanceUid() + ": QA used the first " + (headers.size() - inspection.skippedForBudget())
                    + " of " + headers.size() + " instances (pixel budget)");
        }
        SeriesOutcome outcome = new SeriesOutcome(series.seriesInstanceUid(), series.studyInstanceUid(),
                series.project(), series.modality() != null ? series.modality() : inspection.modality(),
                headers.size() + problems.size(), series.inputFingerprint(), deidStatus, fail, review,
                List.copyOf(rules), findings, e.completeness().status().name(), reasons, type,
                c == null ? 0.0 : c.confidence(), c == null ? List.of() : c.evidence(),
                c == null ? Map.of() : c.attributes(), e.qa().status().name(), metrics,
                e.thumbnailPng() == null ? null : thumbnail, problems);
        return new Curated(outcome, e.thumbnailPng());
    }

    /** The {@code curation_log} entries of an outcome: one per action, with its inputs and outputs. */
    public static List<String[]> logEntries(SeriesOutcome o) {
        String inputs = "fingerprint=" + o.inputFingerprint() + " instances=" + o.instanceCount();
        List<String[]> out = new ArrayList<>();
        out.add(new String[] {"DEID_CHECK", inputs, String.format(Locale.ROOT, "%s (FAIL %d, REVIEW %d instances; rules %s)",
                o.deidStatus(), o.deidFailInstances(), o.deidReviewInstances(), o.deidRules())});
        out.add(new String[] {"COMPLETENESS", inputs, o.completenessStatus()
                + (o.completenessReasons().isEmpty() ? "" : " " + o.completenessReasons().stream()
                        .map(r -> r.substring(0, Math.max(0, r.indexOf(':')))).distinct().toList())});
        out.add(new String[] {"CLASSIFY", inputs, String.format(Locale.ROOT, "%s %s (confidence %.2f)", o.modality(),
                o.seriesType(), o.seriesTypeConfidence())});
        out.add(new String[] {"QA", inputs, o.qaStatus() + " (" + o.metrics().size() + " metrics)"});
        out.add(new String[] {"THUMBNAIL", inputs, o.thumbnail() == null ? "none (no usable pixels)" : o.thumbnail()});
        return out;
    }
}
