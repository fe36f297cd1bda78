package org.medlake.cohort.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.cohort.testing.DeltaTestTables;

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
    void templateIsOnTheClasspath() {
        assertThat(SeriesIndexer.class.getResource(SeriesIndex.TEMPLATE_RESOURCE)).isNotNull();
    }
}
