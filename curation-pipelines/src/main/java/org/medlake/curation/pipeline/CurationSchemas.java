package org.medlake.curation.pipeline;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructField;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.medlake.lake.Tables.SeriesCuration;

/** Spark schemas of the curation tables, as documented in {@code docs/lake-tables.md}. */
final class CurationSchemas {
    private CurationSchemas() {}

    static final StructType SERIES_CURATION = new StructType(new StructField[] {
        req(SeriesCuration.SERIES_INSTANCE_UID, StringType),
        opt(SeriesCuration.STUDY_INSTANCE_UID, StringType),
        opt(SeriesCuration.PROJECT, StringType),
        opt(SeriesCuration.MODALITY, StringType),
        opt(SeriesCuration.INSTANCE_COUNT, IntegerType),
        opt(SeriesCuration.INPUT_FINGERPRINT, StringType),
        opt(SeriesCuration.DEID_STATUS, StringType),
        opt(SeriesCuration.DEID_FAIL_INSTANCES, IntegerType),
        opt(SeriesCuration.DEID_REVIEW_INSTANCES, IntegerType),
        opt(SeriesCuration.DEID_RULES, createArrayType(StringType, true)),
        opt(SeriesCuration.COMPLETENESS_STATUS, StringType),
        opt(SeriesCuration.COMPLETENESS_REASONS, createArrayType(StringType, true)),
        opt(SeriesCuration.SERIES_TYPE, StringType),
        opt(SeriesCuration.SERIES_TYPE_CONFIDENCE, DoubleType),
        opt(SeriesCuration.CLASSIFICATION_EVIDENCE, createArrayType(StringType, true)),
        opt(SeriesCuration.CLASSIFICATION_ATTRIBUTES, createMapType(StringType, StringType, true)),
        opt(SeriesCuration.QA_STATUS, StringType),
        opt(SeriesCuration.THUMBNAIL, StringType),
        opt(SeriesCuration.CURATION_RUN_ID, StringType),
        opt(SeriesCuration.CODE_VERSION, StringType),
        opt(SeriesCuration.CURATED_AT, TimestampType),
    });

    static final StructType FINDING = new StructType(new StructField[] {
        opt("sop_instance_uid", StringType), opt("severity", StringType), opt("tag", StringType),
        opt("keyword", StringType), opt("location", StringType), opt("rule", StringType), opt("basis", StringType),
        opt("reason", StringType), opt("hint", StringType),
    });

    static final StructType METRIC = new StructType(new StructField[] {
        opt("metric", StringType), opt("value", DoubleType), opt("unit", StringType), opt("status", StringType),
        opt("formula", StringType),
    });

    static final StructType LOG_ENTRY = new StructType(new StructField[] {
        opt("action", StringType), opt("inputs", StringType), opt("outputs", StringType),
    });

    /** What a curation task returns per series: the {@code series_curation} row plus its findings, metrics and log. */
    static final StructType OUTCOME = SERIES_CURATION
            .add("findings", createArrayType(FINDING, true))
            .add("metrics", createArrayType(METRIC, true))
            .add("log", createArrayType(LOG_ENTRY, true));

    static final StructType DEID_FINDINGS = new StructType(FINDING.fields())
            .add(opt("series_instance_uid", StringType)).add(opt("curation_run_id", StringType));

    static final StructType QA_METRICS = new StructType()
            .add(opt("series_instance_uid", StringType)).add(opt("modality", StringType))
            .add(opt("metric", StringType)).add(opt("value", DoubleType)).add(opt("unit", StringType))
            .add(opt("status", StringType)).add(opt("formula", StringType)).add(opt("curation_run_id", StringType));

    static final StructType CURATION_LOG = new StructType()
            .add(opt("curation_run_id", StringType)).add(opt("action", StringType)).add(opt("code_version", StringType))
            .add(opt("series_instance_uid", StringType)).add(opt("input_fingerprint", StringType))
            .add(opt("inputs", StringType)).add(opt("outputs", StringType)).add(opt("at", TimestampType));

    private static StructField req(String name, DataType type) {
        return createStructField(name, type, false);
    }

    private static StructField opt(String name, DataType type) {
        return createStructField(name, type, true);
    }
}
