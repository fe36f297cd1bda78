package org.medlake.ingest;

import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;
import static org.apache.spark.sql.types.DataTypes.createArrayType;
import static org.apache.spark.sql.types.DataTypes.createStructField;

import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.medlake.dicom.InstanceHeader;
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

    /**
     * The {@code instances} schema: every typed header column of {@link InstanceHeader#COLUMNS} (the three UIDs
     * required), the header as DICOM JSON, then where the instance came from and where the lake keeps it.
     */
    public static final StructType INSTANCES = instancesSchema();

    private static StructType instancesSchema() {
        return schema(InstanceColumns.ALL);
    }

    static DataType sparkType(Class<?> type, Class<?> element) {
        if (type == String.class) {
            return StringType;
        } else if (type == Integer.class) {
            return IntegerType;
        } else if (type == Long.class) {
            return LongType;
        } else if (type == Double.class) {
            return DoubleType;
        } else if (type == LocalDate.class) {
            return DateType;
        } else if (type == java.time.Instant.class) {
            return TimestampType;
        } else if (type == List.class && element != null) {
            return createArrayType(sparkType(element, null), true);
        }
        throw new IllegalArgumentException("no Spark type for header column type " + type + "<" + element + ">");
    }

    public static final StructType QUARANTINE = schema(InstanceColumns.QUARANTINE);

    public static final StructType INGEST_RUNS = schema(InstanceColumns.INGEST_RUNS);

    private static StructType schema(List<InstanceColumns.Column> columns) {
        List<StructField> fields = new ArrayList<>();
        for (InstanceColumns.Column c : columns) {
            fields.add(createStructField(c.name(), sparkType(c.type(), c.elementType()), !c.required()));
        }
        return new StructType(fields.toArray(new StructField[0]));
    }

    /** How many leading columns of each table Delta keeps file statistics for. */
    static final int STATS_COLUMNS = 16;

    /** Creates the ingest tables that are missing (idempotent). */
    public static void createIfAbsent(SparkSession spark, LakeLayout lake) {
        for (var t : List.of(
                new Object[] {Tables.INSTANCES, INSTANCES},
                new Object[] {Tables.QUARANTINE, QUARANTINE},
                new Object[] {Tables.INGEST_RUNS, INGEST_RUNS})) {
            if (java.nio.file.Files.isDirectory(lake.table((String) t[0]).resolve("_delta_log"))) {
                continue; // exists: skip the catalog round trip, which costs seconds per table
            }
            DeltaTable.createIfNotExists(spark)
                    .location(lake.table((String) t[0]).toString())
                    .addColumns((StructType) t[1])
                    // Min/max statistics on the leading identifying columns only: the lookups that use them
                    // (UIDs, patient, modality, dates) keep data skipping, and appends skip stats on ~80 others.
                    .property("delta.dataSkippingNumIndexedCols", String.valueOf(STATS_COLUMNS))
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
