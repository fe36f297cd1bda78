package org.medlake.cohort.testing;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medlake.cohort.delta.DeltaTableAppender;
import org.medlake.cohort.release.CurationTables;
import org.medlake.lake.LakeLayout;

/**
 * Test fixture: writes lake tables with Delta Kernel (the ingest and curate jobs write the real ones with Spark;
 * the reader only depends on the Delta protocol). Appends one commit per call; creates the table on first call.
 * Since only curated series are released, fixtures that expect series to be searchable or downloadable also write
 * {@code series_curation} rows ({@link #passFor}, {@link #curation}).
 */
public final class DeltaTestTables {
    private DeltaTestTables() {}

    /** The {@code instances} schema of docs/contracts.md. */
    public static final StructType INSTANCES_SCHEMA = new StructType()
            .add("sop_instance_uid", StringType.STRING, false)
            .add("series_instance_uid", StringType.STRING, false)
            .add("study_instance_uid", StringType.STRING, false)
            .add("sop_class_uid", StringType.STRING, true)
            .add("transfer_syntax_uid", StringType.STRING, true)
            .add("patient_id", StringType.STRING, true)
            .add("patient_sex", StringType.STRING, true)
            .add("patient_age_years", IntegerType.INTEGER, true)
            .add("study_date", DateType.DATE, true)
            .add("study_description", StringType.STRING, true)
            .add("series_description", StringType.STRING, true)
            .add("series_number", IntegerType.INTEGER, true)
            .add("instance_number", IntegerType.INTEGER, true)
            .add("modality", StringType.STRING, true)
            .add("body_part_examined", StringType.STRING, true)
            .add("manufacturer", StringType.STRING, true)
            .add("rows", IntegerType.INTEGER, true)
            .add("columns", IntegerType.INTEGER, true)
            .add("project", StringType.STRING, false)
            .add("site", StringType.STRING, true)
            .add("location", StringType.STRING, false)
            .add("source_uri", StringType.STRING, false)
            .add("size_bytes", LongType.LONG, false)
            .add("sha256", StringType.STRING, false)
            .add("run_id", StringType.STRING, false)
            .add("ingested_at", TimestampType.TIMESTAMP, false);

    /** The {@code series_curation} schema of docs/lake-tables.md ("Curation tables"). */
    public static final StructType SERIES_CURATION_SCHEMA = new StructType()
            .add("series_instance_uid", StringType.STRING, false)
            .add("study_instance_uid", StringType.STRING, true)
            .add("project", StringType.STRING, true)
            .add("modality", StringType.STRING, true)
            .add("instance_count", IntegerType.INTEGER, true)
            .add("input_fingerprint", StringType.STRING, true)
            .add("deid_status", StringType.STRING, true)
            .add("deid_fail_instances", IntegerType.INTEGER, true)
            .add("deid_review_instances", IntegerType.INTEGER, true)
            .add("deid_rules", new ArrayType(StringType.STRING, true), true)
            .add("completeness_status", StringType.STRING, true)
            .add("completeness_reasons", new ArrayType(StringType.STRING, true), true)
            .add("series_type", StringType.STRING, true)
            .add("series_type_confidence", DoubleType.DOUBLE, true)
            .add("classification_evidence", new ArrayType(StringType.STRING, true), true)
            .add("classification_attributes", new MapType(StringType.STRING, StringType.STRING, true), true)
            .add("qa_status", StringType.STRING, true)
            .add("thumbnail", StringType.STRING, true)
            .add("curation_run_id", StringType.STRING, true)
            .add("code_version", StringType.STRING, true)
            .add("curated_at", TimestampType.TIMESTAMP, true);

    /**
     * Appends {@code rows} (column name to Java value: String, Integer, Long, Double, LocalDate, Instant, List, Map;
     * absent = null) to the table at {@code tablePath}, creating it with {@code schema} if needed. Returns the
     * committed version. Uses the production writer, {@link DeltaTableAppender}.
     */
    public static long append(Path tablePath, StructType schema, List<Map<String, Object>> rows) {
        return new DeltaTableAppender("medlake-tests").append(tablePath, schema, rows);
    }

    /** Appends {@code rows} to the lake's {@code series_curation} table (see {@link #curation}). */
    public static long appendCuration(LakeLayout lake, List<Map<String, Object>> rows) {
        return append(lake.table(CurationTables.SERIES_CURATION), SERIES_CURATION_SCHEMA, rows);
    }

    /**
     * A complete {@code series_curation} row with the given {@code deid_status} (PASS/REVIEW/FAIL) and
     * fingerprint {@code fp-<series>}; {@code overrides} replace/add columns.
     */
    public static Map<String, Object> curation(String series, String project, String deidStatus, Map<String, Object> overrides) {
        Map<String, Object> r = new HashMap<>();
        r.put("series_instance_uid", series);
        r.put("study_instance_uid", series + ".study");
        r.put("project", project);
        r.put("modality", "CT");
        r.put("instance_count", 1);
        r.put("input_fingerprint", "fp-" + series);
        r.put("deid_status", deidStatus);
        r.put("deid_fail_instances", "FAIL".equals(deidStatus) ? 1 : 0);
        r.put("deid_review_instances", "REVIEW".equals(deidStatus) ? 1 : 0);
        r.put("deid_rules", "PASS".equals(deidStatus) ? List.of() : List.of("burned-in-annotation"));
        r.put("completeness_status", "COMPLETE");
        r.put("completeness_reasons", List.of());
        r.put("series_type", "LOW_DOSE");
        r.put("series_type_confidence", 0.9);
        r.put("classification_evidence", List.of("CTDIvol < 3 mGy"));
        r.put("classification_attributes", Map.of("dose", "low", "contrast", "none"));
        r.put("qa_status", "PASS");
        r.put("thumbnail", "thumbnails/" + series + ".png");
        r.put("curation_run_id", "cur-1");
        r.put("code_version", "test");
        r.put("curated_at", Instant.parse("2025-02-03T04:05:06Z"));
        r.putAll(overrides);
        return r;
    }

    /** PASS curation rows for every series of {@code instanceRows}, so that fixtures written before curation stay released. */
    public static List<Map<String, Object>> passFor(List<Map<String, Object>> instanceRows) {
        Map<String, Map<String, Object>> bySeries = new java.util.TreeMap<>();
        for (Map<String, Object> i : instanceRows) {
            String series = (String) i.get("series_instance_uid");
            bySeries.putIfAbsent(series, curation(series, (String) i.get("project"), "PASS", Map.of()));
        }
        return new ArrayList<>(bySeries.values());
    }

    /** A complete {@code instances} row with sensible defaults; {@code overrides} replace/add columns. */
    public static Map<String, Object> instance(String sop, String series, String project, long size, Map<String, Object> overrides) {
        Map<String, Object> r = new HashMap<>();
        r.put("sop_instance_uid", sop);
        r.put("series_instance_uid", series);
        r.put("study_instance_uid", series + ".study");
        r.put("sop_class_uid", "1.2.840.10008.5.1.4.1.1.2");
        r.put("patient_id", "P-" + series);
        r.put("modality", "CT");
        r.put("project", project);
        r.put("site", "site-a");
        String sha = String.format("%064x", Math.abs((long) sop.hashCode()));
        r.put("sha256", sha);
        r.put("location", "objects/sha256/" + sha.substring(0, 2) + "/" + sha);
        r.put("source_uri", "file:///src/" + sop + ".dcm");
        r.put("size_bytes", size);
        r.put("run_id", "run-1");
        r.put("ingested_at", Instant.parse("2025-01-02T03:04:05.123456Z"));
        r.putAll(overrides);
        return r;
    }
}
