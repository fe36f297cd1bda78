package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.medlake.lake.Tables.Instances;

class SeriesStudyAggregationTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** One instance row in {@link SeriesStudyAggregation#INPUT} order. */
    private static Object[] instance(String series, String study, String modality, Integer number, long size, String run,
                                     String source, Instant at, String description) {
        Object[] v = new Object[SeriesStudyAggregation.INPUT.size()];
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.SERIES_INSTANCE_UID)] = series;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.STUDY_INSTANCE_UID)] = study;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.MODALITY)] = modality;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.INSTANCE_NUMBER)] = number;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.SIZE_BYTES)] = size;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.RUN_ID)] = run;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.SOURCE_URI)] = source;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.INGESTED_AT)] = at;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.SERIES_DESCRIPTION)] = description;
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.STUDY_DATE)] = LocalDate.of(2024, 5, 1);
        v[SeriesStudyAggregation.INPUT.indexOf(Instances.PROJECT)] = "demo";
        return v;
    }

    private static Object col(SeriesStudyAggregation.Result r, boolean series, Object[] row, String name) {
        List<InstanceColumns.Column> cols = series ? r.seriesColumns() : r.studyColumns();
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equals(name)) {
                return row[i];
            }
        }
        throw new AssertionError("no column " + name);
    }

    @Test
    void seriesAndStudiesAddUpTakeSmallestValuesAndSortTheirSets() {
        List<Object[]> in = new ArrayList<>();
        in.add(instance("1.2", "9", "MR", 3, 100, "run-b", "file:///b/3.dcm", T0.plusSeconds(5), "T1"));
        in.add(instance("1.2", "9", "MR", 1, 150, "run-a", "file:///b/1.dcm", T0.plusSeconds(1), null));
        in.add(instance("1.2", "9", "MR", null, 50, "run-b", "file:///b/2.dcm", T0.plusSeconds(9), "T0"));
        in.add(instance("1.10", "9", "CT", 7, 10, "run-c", "file:///a/7.dcm", T0, "CT head"));
        in.add(instance("2.1", "8", "US", 1, 1, "run-a", "file:///z.dcm", T0, null));

        SeriesStudyAggregation.Result r = SeriesStudyAggregation.aggregate(in);

        assertThat(r.series()).extracting(row -> (String) row[0]).containsExactly("1.10", "1.2", "2.1");
        Object[] mr = r.series().get(1);
        assertThat(col(r, true, mr, "instance_count")).isEqualTo(3L);
        assertThat(col(r, true, mr, "min_instance_number")).isEqualTo(1);
        assertThat(col(r, true, mr, "max_instance_number")).isEqualTo(3);
        assertThat(col(r, true, mr, Instances.SIZE_BYTES)).isEqualTo(300L);
        assertThat(col(r, true, mr, "run_ids")).isEqualTo(List.of("run-a", "run-b"));
        assertThat(col(r, true, mr, "first_source_uri")).isEqualTo("file:///b/1.dcm");
        assertThat(col(r, true, mr, "first_ingested_at")).isEqualTo(T0.plusSeconds(1));
        assertThat(col(r, true, mr, "last_ingested_at")).isEqualTo(T0.plusSeconds(9));
        assertThat(col(r, true, mr, Instances.SERIES_DESCRIPTION)).as("nulls ignored, smallest kept").isEqualTo("T0");
        assertThat(col(r, true, mr, Instances.STUDY_DATE)).isEqualTo(LocalDate.of(2024, 5, 1));

        assertThat(r.studies()).extracting(row -> (String) row[0]).containsExactly("8", "9");
        Object[] study = r.studies().get(1);
        assertThat(col(r, false, study, "series_count")).isEqualTo(2L);
        assertThat(col(r, false, study, "instance_count")).isEqualTo(4L);
        assertThat(col(r, false, study, "modalities")).isEqualTo(List.of("CT", "MR"));
        assertThat(col(r, false, study, Instances.SIZE_BYTES)).isEqualTo(310L);
        assertThat(col(r, false, study, "run_ids")).isEqualTo(List.of("run-a", "run-b", "run-c"));
        assertThat(col(r, false, study, "first_source_uri")).isEqualTo("file:///a/7.dcm");
        assertThat(col(r, false, study, "last_ingested_at")).isEqualTo(T0.plusSeconds(9));
    }

    @Test
    void stringsCompareByCodePointAsSparkDoes() {
        String bmpHigh = "\uFB01";            // U+FB01, above the surrogate range
        String supplementary = "\uD83D\uDE00"; // U+1F600, a surrogate pair in UTF-16
        assertThat(bmpHigh.compareTo(supplementary)).as("UTF-16 order differs").isPositive();
        assertThat(SeriesStudyAggregation.compareStrings(bmpHigh, supplementary)).isNegative();
        assertThat(SeriesStudyAggregation.compareStrings("abc", "abd")).isNegative();
        assertThat(SeriesStudyAggregation.compareStrings("ab", "abc")).isNegative();
        assertThat(SeriesStudyAggregation.compareStrings("x", "x")).isZero();
    }
}
