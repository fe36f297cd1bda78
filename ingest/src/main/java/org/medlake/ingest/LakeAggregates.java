package org.medlake.ingest;

import static org.apache.spark.sql.functions.array_distinct;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.flatten;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.Instances;

/**
 * The {@code series} and {@code studies} tables: one row per series and per study, derived from {@code instances}.
 * They are recomputed whole and replaced atomically (one Delta overwrite commit each), so they always equal an
 * aggregation of the current {@code instances} table, whatever happened to earlier runs. Attributes that should be
 * constant within a series take their smallest value (deterministic; they rarely differ).
 */
final class LakeAggregates {
    private LakeAggregates() {}

    private static final List<String> SERIES_ATTRIBUTES = SeriesStudyAggregation.SERIES_ATTRIBUTES;
    private static final List<String> STUDY_ATTRIBUTES = SeriesStudyAggregation.STUDY_ATTRIBUTES;

    static void rebuild(SparkSession spark, LakeLayout lake) {
        Dataset<Row> instances = spark.read().format("delta").load(lake.tableUri(Tables.INSTANCES));
        List<String> present = List.of(instances.columns());

        List<Column> seriesAgg = new ArrayList<>();
        for (String a : SERIES_ATTRIBUTES) {
            if (present.contains(a)) {
                seriesAgg.add(min(col(a)).as(a));
            }
        }
        seriesAgg.add(min(col(Instances.INSTANCE_NUMBER)).as("min_instance_number"));
        seriesAgg.add(max(col(Instances.INSTANCE_NUMBER)).as("max_instance_number"));
        seriesAgg.add(sum(col(Instances.SIZE_BYTES)).as(Instances.SIZE_BYTES));
        seriesAgg.add(array_sort(collect_set(col(Instances.RUN_ID))).as("run_ids"));
        seriesAgg.add(min(col(Instances.SOURCE_URI)).as("first_source_uri"));
        seriesAgg.add(min(col(Instances.INGESTED_AT)).as("first_ingested_at"));
        seriesAgg.add(max(col(Instances.INGESTED_AT)).as("last_ingested_at"));
        Dataset<Row> series = instances.groupBy(col(Instances.SERIES_INSTANCE_UID))
                .agg(count(lit(1)).as("instance_count"), seriesAgg.toArray(new Column[0]));
        overwrite(series, lake, Tables.SERIES);

        // Studies from the series just written: the same values as from the instances (min of mins, sum of
        // sums, union of sets), for one scan of the instances table instead of two.
        Dataset<Row> seriesTable = spark.read().format("delta").load(lake.tableUri(Tables.SERIES));
        List<Column> studyAgg = new ArrayList<>();
        for (String a : STUDY_ATTRIBUTES) {
            if (present.contains(a)) {
                studyAgg.add(min(col(a)).as(a));
            }
        }
        studyAgg.add(sum(col("instance_count")).as("instance_count"));
        studyAgg.add(array_sort(collect_set(col(Instances.MODALITY))).as("modalities"));
        studyAgg.add(sum(col(Instances.SIZE_BYTES)).as(Instances.SIZE_BYTES));
        studyAgg.add(array_sort(array_distinct(flatten(collect_list(col("run_ids"))))).as("run_ids"));
        studyAgg.add(min(col("first_source_uri")).as("first_source_uri"));
        studyAgg.add(max(col("last_ingested_at")).as("last_ingested_at"));
        Dataset<Row> studies = seriesTable.groupBy(col(Instances.STUDY_INSTANCE_UID))
                .agg(count(lit(1)).as("series_count"), studyAgg.toArray(new Column[0]));
        overwrite(studies, lake, Tables.STUDIES);
    }

    private static void overwrite(Dataset<Row> rows, LakeLayout lake, String table) {
        rows.write().format("delta").mode("overwrite").option("overwriteSchema", "true").save(lake.tableUri(table));
    }
}
