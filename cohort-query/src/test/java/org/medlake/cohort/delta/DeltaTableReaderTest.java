package org.medlake.cohort.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.cohort.CohortException;
import org.medlake.cohort.testing.DeltaTestTables;

class DeltaTableReaderTest {
    private final DeltaTableReader reader = new DeltaTableReader();

    @Test
    void absentTableIsEmptyNotAnError(@TempDir Path dir) {
        assertThat(reader.read(dir.resolve("tables/instances"), List.of())).isEmpty();
        assertThat(reader.latestVersion(dir.resolve("tables/instances"))).isEmpty();
    }

    @Test
    void readsSelectedColumnsWithJavaTypesAndTracksVersions(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("instances");
        DeltaTestTables.append(table, DeltaTestTables.INSTANCES_SCHEMA, List.of(
                DeltaTestTables.instance("1.1", "S1", "demo", 100, Map.of("study_date", LocalDate.of(2024, 2, 29),
                        "patient_age_years", 42)),
                DeltaTestTables.instance("1.2", "S1", "demo", 50, Map.of())));
        var v0 = reader.read(table, List.of("sop_instance_uid", "size_bytes", "study_date", "patient_age_years", "ingested_at"));
        assertThat(v0).isPresent();
        assertThat(v0.get().version()).isZero();
        assertThat(v0.get().rows()).hasSize(2);
        Map<String, Object> first = v0.get().rows().stream().filter(r -> r.get("sop_instance_uid").equals("1.1")).findFirst().orElseThrow();
        assertThat(first.keySet()).containsExactly("sop_instance_uid", "size_bytes", "study_date", "patient_age_years", "ingested_at");
        assertThat(first).containsEntry("size_bytes", 100L).containsEntry("study_date", LocalDate.of(2024, 2, 29))
                .containsEntry("patient_age_years", 42)
                .containsEntry("ingested_at", Instant.parse("2025-01-02T03:04:05.123456Z"));
        Map<String, Object> second = v0.get().rows().stream().filter(r -> r.get("sop_instance_uid").equals("1.2")).findFirst().orElseThrow();
        assertThat(second).containsEntry("study_date", null);

        DeltaTestTables.append(table, DeltaTestTables.INSTANCES_SCHEMA, List.of(DeltaTestTables.instance("1.3", "S2", "other", 7, Map.of())));
        assertThat(reader.latestVersion(table)).hasValue(1);
        assertThat(reader.read(table, List.of()).orElseThrow().rows()).hasSize(3)
                .allSatisfy(r -> assertThat(r).hasSize(DeltaTestTables.INSTANCES_SCHEMA.length()));
    }

    @Test
    void unknownColumnIsAUserError(@TempDir Path dir) throws Exception {
        Path table = dir.resolve("t");
        DeltaTestTables.append(table, DeltaTestTables.INSTANCES_SCHEMA, List.of(DeltaTestTables.instance("1", "S", "demo", 1, Map.of())));
        assertThatThrownBy(() -> reader.read(table, List.of("nope")))
                .isInstanceOf(CohortException.class).hasMessageContaining("'nope'")
                .satisfies(e -> assertThat(((CohortException) e).code()).isEqualTo(CohortException.ErrorCode.USER_ERROR));
    }
}
