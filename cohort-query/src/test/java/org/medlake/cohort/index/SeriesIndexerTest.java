package org.medlake.cohort.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.delta.DeltaTableReader;
import org.medlake.cohort.release.CurationState;
import org.medlake.cohort.release.DeidOverrideLog;
import org.medlake.cohort.testing.DeltaTestTables;
import org.medlake.lake.LakeLayout;

class SeriesIndexerTest {
    @Test
    void aggregatesOneDocumentPerSeries() {
        List<Map<String, Object>> docs = SeriesIndexer.aggregate(List.of(
                DeltaTestTables.instance("1.2", "S1", "demo", 10, Map.of("study_date", LocalDate.of(2024, 3, 1), "series_number", 2)),
                DeltaTestTables.instance("1.1", "S1", "demo", 5, Map.of("series_description", "AX")),
                DeltaTestTables.instance("2.1", "S2", "other", 7, Map.of())));
        assertThat(docs).hasSize(2);
        Map<String, Object> s1 = docs.get(0);
        assertThat(s1).containsEntry("series_instance_uid", "S1").containsEntry("instance_count", 2)
                .containsEntry("size_bytes", 15L).containsEntry("study_date", "2024-03-01")
                .containsEntry("series_description", "AX").containsEntry("series_number", 2)
                .containsEntry("project", "demo").doesNotContainKey("patient_age_years");
        assertThat(s1.keySet()).isSubsetOf(SeriesIndex.DOCUMENT_FIELDS).doesNotContain("sop_instance_uid");
        assertThat(docs.get(1)).containsEntry("series_instance_uid", "S2").containsEntry("instance_count", 1);
    }

    @Test
    void withoutCurationTablesNothingIsReleased(@TempDir Path lake) {
        CurationState state = CurationState.read(new DeltaTableReader(), LakeLayout.at(lake));
        assertThat(state.curationVersion()).isEqualTo(-1);
        assertThat(state.overridesVersion()).isEqualTo(-1);
        List<Map<String, Object>> docs = SeriesIndexer.aggregate(
                List.of(DeltaTestTables.instance("1.1", "S1", "demo", 1, Map.of())), state);
        assertThat(docs.get(0)).containsEntry("released", false).containsEntry("deid_override", false)
                .doesNotContainKeys("deid_status", "series_type");
    }

    @Test
    void marksReleasedFromTheCurationTables(@TempDir Path dir) {
        LakeLayout lake = LakeLayout.at(dir);
        List<String> series = List.of("PASS", "REVIEW", "FAIL", "NEVER", "FAIL_OVERRIDE", "FAIL_STALE", "FAIL_REVOKED");
        List<Map<String, Object>> instances = new ArrayList<>();
        List<Map<String, Object>> curation = new ArrayList<>();
        for (String s : series) {
            instances.add(DeltaTestTables.instance(s + ".1", s, "demo", 1, Map.of()));
            if (!s.equals("NEVER")) {
                String status = s.startsWith("FAIL") ? "FAIL" : s;
                curation.add(DeltaTestTables.curation(s, "demo", status, Map.of("qa_status", "WARN")));
            }
        }
        DeltaTestTables.appendCuration(lake, curation);
        DeidOverrideLog log = new DeidOverrideLog(lake, new DeltaTableAppender("test"));
        Instant t = Instant.parse("2025-03-01T10:00:00.123456789Z");
        log.append(entry("FAIL_OVERRIDE", "fp-FAIL_OVERRIDE", "OVERRIDE", t));
        log.append(entry("FAIL_STALE", "fp-older-content", "OVERRIDE", t));
        log.append(entry("FAIL_REVOKED", "fp-FAIL_REVOKED", "OVERRIDE", t));
        log.append(entry("FAIL_REVOKED", "fp-FAIL_REVOKED", "REVOKE", t.plusSeconds(60)));

        CurationState state = CurationState.read(new DeltaTableReader(), lake);
        assertThat(state.curationVersion()).isZero();
        assertThat(state.overridesVersion()).isEqualTo(3);
        Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
        SeriesIndexer.aggregate(instances, state).forEach(d -> docs.put((String) d.get("series_instance_uid"), d));

        assertThat(docs.get("PASS")).containsEntry("released", true).containsEntry("deid_override", false)
                .containsEntry("deid_status", "PASS").containsEntry("series_type", "LOW_DOSE")
                .containsEntry("series_type_confidence", 0.9).containsEntry("completeness_status", "COMPLETE")
                .containsEntry("qa_status", "WARN")
                .containsEntry("classification_attributes", Map.of("dose", "low", "contrast", "none"));
        assertThat(docs.get("REVIEW")).containsEntry("released", true).containsEntry("deid_status", "REVIEW");
        assertThat(docs.get("FAIL")).containsEntry("released", false).containsEntry("deid_override", false);
        assertThat(docs.get("NEVER")).containsEntry("released", false).containsEntry("deid_override", false)
                .doesNotContainKey("deid_status");
        assertThat(docs.get("FAIL_OVERRIDE")).containsEntry("released", true).containsEntry("deid_override", true)
                .containsEntry("deid_status", "FAIL");
        assertThat(docs.get("FAIL_STALE")).containsEntry("released", false).containsEntry("deid_override", false);
        assertThat(docs.get("FAIL_REVOKED")).containsEntry("released", false).containsEntry("deid_override", false);
        docs.values().forEach(d -> assertThat(d.keySet()).isSubsetOf(SeriesIndex.DOCUMENT_FIELDS));
        // the override rows read back as written (timestamps at Delta's microsecond precision)
        assertThat(state.overrides("FAIL_REVOKED")).extracting(o -> o.at())
                .containsExactlyInAnyOrder(Instant.parse("2025-03-01T10:00:00.123456Z"), Instant.parse("2025-03-01T10:01:00.123456Z"));
    }

    private static DeidOverrideLog.Entry entry(String series, String fp, String action, Instant at) {
        return new DeidOverrideLog.Entry(UUID.randomUUID().toString(), series, "demo", fp, action,
                "checked the burned-in text by hand", "carol", at);
    }

    @Test
    void templateIsOnTheClasspath() {
        assertThat(SeriesIndexer.class.getResource(SeriesIndex.TEMPLATE_RESOURCE)).isNotNull();
    }
}
