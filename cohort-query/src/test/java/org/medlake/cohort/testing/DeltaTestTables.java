package org.medlake.cohort.testing;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.defaults.internal.data.DefaultColumnarBatch;
import io.delta.kernel.defaults.internal.data.vector.DefaultGenericVector;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

/**
 * Test fixture: writes lake tables with Delta Kernel (the ingest module writes the real ones with Spark; the
 * reader only depends on the Delta protocol). Appends one commit per call; creates the table on first call.
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

    /**
     * Appends {@code rows} (column name to Java value: String, Integer, Long, LocalDate, Instant; absent = null)
     * to the table at {@code tablePath}, creating it with {@code schema} if needed. Returns the committed version.
     */
    public static long append(Path tablePath, StructType schema, List<Map<String, Object>> rows) throws Exception {
        Engine engine = DefaultEngine.create(new Configuration());
        Files.createDirectories(tablePath);
        Table table = Table.forPath(engine, tablePath.toUri().toString());
        boolean exists = Files.isDirectory(tablePath.resolve("_delta_log"));
        TransactionBuilder tb = table.createTransactionBuilder(engine, "medlake-tests",
                exists ? Operation.WRITE : Operation.CREATE_TABLE);
        if (!exists) {
            tb = tb.withSchema(engine, schema);
        }
        Transaction txn = tb.build(engine);
        Row state = txn.getTransactionState(engine);
        ColumnVector[] vectors = new ColumnVector[schema.length()];
        for (int c = 0; c < schema.length(); c++) {
            StructField f = schema.at(c);
            List<Object> values = new ArrayList<>();
            for (Map<String, Object> row : rows) {
                values.add(toKernel(row.get(f.getName()), f.getDataType()));
            }
            vectors[c] = DefaultGenericVector.fromList(f.getDataType(), values);
        }
        DefaultColumnarBatch batch = new DefaultColumnarBatch(rows.size(), schema, vectors);
        CloseableIterator<FilteredColumnarBatch> data =
                Utils.singletonCloseableIterator(new FilteredColumnarBatch(batch, Optional.empty()));
        CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state, data, Map.of());
        DataWriteContext ctx = Transaction.getWriteContext(engine, state, Map.of());
        CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
                .writeParquetFiles(ctx.getTargetDirectory(), physical, ctx.getStatisticsColumns());
        CloseableIterator<Row> actions = Transaction.generateAppendActions(engine, state, files, ctx);
        return txn.commit(engine, CloseableIterable.inMemoryIterable(actions)).getVersion();
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

    private static Object toKernel(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (type instanceof DateType && v instanceof LocalDate d) {
            return (int) d.toEpochDay();
        }
        if (type instanceof TimestampType && v instanceof Instant i) {
            return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
        }
        return v;
    }
}
