package org.medlake.ingest;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;

import io.delta.tables.DeltaTable;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.medlake.lake.LakeLayout;
import org.medlake.lake.Tables;
import org.medlake.lake.Tables.IngestRuns;
import org.medlake.lake.Tables.Instances;
import org.medlake.lake.Tables.Quarantine;

/** Spark schemas of the lake tables, exactly as in {@code docs/contracts.md}, and their creation. */
public final class LakeSchemas {
    private LakeSchemas() {}

    public static final StructType INSTANCES = new StructType(new StructField[] {
        req(Instances.SOP_INSTANCE_UID, StringType),
        req(Instances.SERIES_INSTANCE_UID, StringType),
        req(Instances.STUDY_INSTANCE_UID, StringType),
        opt(Instances.SOP_CLASS_UID, StringType),
        opt(Instances.TRANSFER_SYNTAX_UID, StringType),
        opt(Instances.PATIENT_ID, StringType),
        opt(Instances.PATIENT_SEX, StringType),
        opt(Instances.PATIENT_AGE_YEARS, IntegerType),
        opt(Instances.STUDY_DATE, DateType),
        opt(Instances.STUDY_DESCRIPTION, StringType),
        opt(Instances.SERIES_DESCRIPTION, StringType),
        opt(Instances.SERIES_NUMBER, IntegerType),
        opt(Instances.INSTANCE_NUMBER, IntegerType),
        opt(Instances.MODALITY, StringType),
        opt(Instances.BODY_PART_EXAMINED, StringType),
        opt(Instances.MANUFACTURER, StringType),
        opt(Instances.ROWS, IntegerType),
        opt(Instances.COLUMNS, IntegerType),
        req(Instances.PROJECT, StringType),
        opt(Instances.SITE, StringType),
        req(Instances.LOCATION, StringType),
        req(Instances.SOURCE_URI, StringType),
        req(Instances.SIZE_BYTES, LongType),
        req(Instances.SHA256, StringType),
        req(Instances.RUN_ID, StringType),
        req(Instances.INGESTED_AT, TimestampType),
    });

    public static final StructType QUARANTINE = new StructType(new StructField[] {
        opt(Quarantine.SOURCE_URI, StringType),
        opt(Quarantine.SIZE_BYTES, LongType),
        opt(Quarantine.SHA256, StringType),
        opt(Quarantine.REASON, StringType),
        opt(Quarantine.DETAIL, StringType),
        opt(Quarantine.SOP_INSTANCE_UID, StringType),
        opt(Quarantine.PROJECT, StringType),
        opt(Quarantine.RUN_ID, StringType),
        opt(Quarantine.QUARANTINED_AT, TimestampType),
    });

    public static final StructType INGEST_RUNS = new StructType(new StructField[] {
        opt(IngestRuns.RUN_ID, StringType),
        opt(IngestRuns.SOURCES, createArrayType(StringType, true)),
        opt(IngestRuns.PROJECT, StringType),
        opt(IngestRuns.SITE, StringType),
        opt(IngestRuns.USER, StringType),
        opt(IngestRuns.STARTED_AT, TimestampType),
        opt(IngestRuns.FINISHED_AT, TimestampType),
        opt(IngestRuns.STATUS, StringType),
        opt(IngestRuns.FILES_SEEN, LongType),
        opt(IngestRuns.INSTANCES_ADDED, LongType),
        opt(IngestRuns.DUPLICATES, LongType),
        opt(IngestRuns.QUARANTINED, LongType),
        opt(IngestRuns.NOT_DICOM, LongType),
    });

    /** Creates the ingest tables that are missing (idempotent). */
    public static void createIfAbsent(SparkSession spark, LakeLayout lake) {
        for (var t : List.of(
                new Object[] {Tables.INSTANCES, INSTANCES},
                new Object[] {Tables.QUARANTINE, QUARANTINE},
                new Object[] {Tables.INGEST_RUNS, INGEST_RUNS})) {
            DeltaTable.createIfNotExists(spark)
                    .location(lake.table((String) t[0]).toString())
                    .addColumns((StructType) t[1])
                    .execute();
        }
    }

    private static StructField req(String name, DataType type) {
        return createStructField(name, type, false);
    }

    private static StructField opt(String name, DataType type) {
        return createStructField(name, type, true);
    }
}
