package org.medlake.curation.pipeline;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createMapType;
import static org.apache.spark.sql.types.DataTypes.createStructField;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.medlake.lake.Tables.Nifti;
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

    /** One NIfTI output of a series (see {@link NiftiStep.Output}). */
    static final StructType NIFTI_OUTPUT = new StructType(new StructField[] {
        opt(Nifti.STATUS, StringType), opt(Nifti.REASON, StringType), opt(Nifti.OUTPUT_INDEX, IntegerType),
        opt(Nifti.NAME, StringType), opt(Nifti.LOCATION, StringType), opt(Nifti.SIDECAR_LOCATION, StringType),
        opt(Nifti.BVAL_LOCATION, StringType), opt(Nifti.BVEC_LOCATION, StringType), opt(Nifti.SHA256, StringType),
        opt(Nifti.SIZE_BYTES, LongType), opt(Nifti.DIMS, createArrayType(IntegerType, true)),
        opt(Nifti.PIXDIM, createArrayType(DoubleType, true)),
        opt(Nifti.INPUT_SOP_INSTANCE_UIDS, createArrayType(StringType, true)),
    });

    /** What a curation task returns per series: the {@code series_curation} row plus its findings, metrics, log and NIfTI outputs. */
    static final StructType OUTCOME = SERIES_CURATION
            .add("findings", createArrayType(FINDING, true))
            .add("metrics", createArrayType(METRIC, true))
            .add("log", createArrayType(LOG_ENTRY, true))
            .add("nifti", createArrayType(NIFTI_OUTPUT, true));

    /** The {@code nifti} table, as documented in {@code docs/lake-tables.md}. */
    static final StructType NIFTI = new StructType()
            .add(req(Nifti.SERIES_INSTANCE_UID, StringType)).add(opt(Nifti.STUDY_INSTANCE_UID, StringType))
            .add(opt(Nifti.PROJECT, StringType)).add(NIFTI_OUTPUT.apply(Nifti.STATUS))
            .add(NIFTI_OUTPUT.apply(Nifti.REASON)).add(NIFTI_OUTPUT.apply(Nifti.OUTPUT_INDEX))
            .add(NIFTI_OUTPUT.apply(Nifti.NAME)).add(NIFTI_OUTPUT.apply(Nifti.LOCATION))
            .add(NIFTI_OUTPUT.apply(Nifti.SIDECAR_LOCATION)).add(NIFTI_OUTPUT.apply(Nifti.BVAL_LOCATION))
            .add(NIFTI_OUTPUT.apply(Nifti.BVEC_LOCATION)).add(NIFTI_OUTPUT.apply(Nifti.SHA256))
            .add(NIFTI_OUTPUT.apply(Nifti.SIZE_BYTES)).add(NIFTI_OUTPUT.apply(Nifti.DIMS))
            .add(NIFTI_OUTPUT.apply(Nifti.PIXDIM)).add(NIFTI_OUTPUT.apply(Nifti.INPUT_SOP_INSTANCE_UIDS))
            .add(opt(Nifti.INPUT_FINGERPRINT, StringType)).add(opt(Nifti.CONVERTER_VERSION, StringType))
            .add(opt(Nifti.CURATION_RUN_ID, StringType)).add(opt(Nifti.CONVERTED_AT, TimestampType));

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
