package org.medlake.cohort.delta;

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
import io.delta.kernel.exceptions.ConcurrentTransactionException;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.medlake.cohort.CohortException;

/**
 * Appends rows to a Delta table with Delta Kernel's write API (no Spark): one commit per {@link #append} call,
 * creating the table with the given schema if it does not exist yet. Blind appends: Kernel resolves conflicts with
 * concurrent appenders by retrying the commit. Appends to one table from this JVM are serialized.
 *
 * <p>Values are plain Java objects, as {@link DeltaTableReader} returns them: {@link String}, {@link Integer},
 * {@link Long}, {@link Double}, {@link Boolean}, {@link LocalDate} (DATE), {@link Instant} (TIMESTAMP, stored with
 * microsecond precision), {@link List} (ARRAY), {@link Map} of strings (MAP&lt;STRING,STRING&gt;); an absent key
 * or {@code null} is SQL NULL.
 */
public final class DeltaTableAppender {
    /**
     * A compare-and-set append lost: another commit recorded the same or a later transaction version for the
     * application id first. Category {@code USER_ERROR}: the request conflicts with the table's state; retrying after
     * re-reading the table is the fix.
     */
    public static final class ConcurrentAppendException extends CohortException {
        public ConcurrentAppendException(String message, Throwable cause) {
            super(ErrorCode.USER_ERROR, message, cause);
        }
    }

    private static final Map<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private final Engine engine;
    private final String engineInfo;

    /** An appender on Kernel's default engine (local file system) that records {@code engineInfo} in commits. */
    public DeltaTableAppender(String engineInfo) {
        this(DefaultEngine.create(new Configuration()), engineInfo);
    }

    public DeltaTableAppender(Engine engine, String engineInfo) {
        this.engine = engine;
        this.engineInfo = engineInfo;
    }

    /**
     * Appends {@code rows} to the table at {@code tablePath}, creating it with {@code schema} if absent. The rows
     * are written with the schema of the existing table (columns missing from a row are null).
     *
     * @return the committed table version
     * @throws CohortException EXTERNAL when the files or the commit cannot be written, INTERNAL on a value that does
     *         not fit its column type
     */
    public long append(Path tablePath, StructType schema, List<Map<String, Object>> rows) {
        return append(tablePath, schema, rows, null, 0);
    }

    /**
     * Like {@link #append(Path, StructType, List)}, but the commit also records the Delta transaction identifier
     * {@code (appId, txnVersion)} (a {@code txn} action) and succeeds only if no commit has recorded a version
     * {@code >= txnVersion} for {@code appId} before it, in this or any other process. This is a compare-and-set on
     * the table: e.g. {@code appId = "cohort-<id>"}, {@code txnVersion = n + 1} lets exactly one of several concurrent
     * writers commit version n + 1 of a cohort.
     *
     * @param appId      the application id, or null for a plain append
     * @param txnVersion the version to record for {@code appId}
     * @return the committed table version
     * @throws ConcurrentAppendException when another commit already recorded {@code txnVersion} (or a later one) for
     *         {@code appId}; nothing was committed
     * @throws CohortException EXTERNAL when the files or the commit cannot be written
     */
    public long append(Path tablePath, StructType schema, List<Map<String, Object>> rows, String appId, long txnVersion) {
        Path key = tablePath.toAbsolutePath().normalize();
        synchronized (LOCKS.computeIfAbsent(key, k -> new Object())) {
            try {
                Files.createDirectories(key);
                Table table = Table.forPath(engine, key.toUri().toString());
                boolean exists = hasCommits(key.resolve("_delta_log"));
                TransactionBuilder tb = table.createTransactionBuilder(engine, engineInfo,
                        exists ? Operation.WRITE : Operation.CREATE_TABLE);
                if (!exists) {
                    tb = tb.withSchema(engine, schema);
                }
                if (appId != null) {
                    tb = tb.withTransactionId(engine, appId, txnVersion);
                }
                Transaction txn = tb.build(engine);
                StructType writeSchema = txn.getSchema(engine);
                Row state = txn.getTransactionState(engine);
                CloseableIterator<FilteredColumnarBatch> data = Utils.singletonCloseableIterator(
                        new FilteredColumnarBatch(batch(writeSchema, rows), Optional.empty()));
                CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, state, data, Map.of());
                DataWriteContext ctx = Transaction.getWriteContext(engine, state, Map.of());
                CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
                        .writeParquetFiles(ctx.getTargetDirectory(), physical, ctx.getStatisticsColumns());
                CloseableIterator<Row> actions = Transaction.generateAppendActions(engine, state, files, ctx);
                return txn.commit(engine, CloseableIterable.inMemoryIterable(actions)).getVersion();
            } catch (ConcurrentTransactionException e) {
                throw new ConcurrentAppendException("Another writer committed version " + txnVersion + " of '" + appId
                        + "' to the Delta table at " + tablePath + " first, so this append was not committed. Re-read the "
                        + "table and retry.", e);
            } catch (IOException | UncheckedIOException | KernelException e) {
                throw new CohortException(CohortException.ErrorCode.EXTERNAL, "Cannot append " + rows.size()
                        + " row(s) to the Delta table at " + tablePath + ": " + e.getMessage() + ". Check that the lake "
                        + "folder is writable and that the table was not modified outside Delta, then retry.", e);
            }
        }
    }

    private static DefaultColumnarBatch batch(StructType schema, List<Map<String, Object>> rows) {
        ColumnVector[] vectors = new ColumnVector[schema.length()];
        for (int c = 0; c < schema.length(); c++) {
            StructField f = schema.at(c);
            List<Object> values = new ArrayList<>(rows.size());
            for (Map<String, Object> row : rows) {
                values.add(toKernel(row.get(f.getName()), f.getDataType(), f.getName()));
            }
            vectors[c] = DefaultGenericVector.fromList(f.getDataType(), values);
        }
        return new DefaultColumnarBatch(rows.size(), schema, vectors);
    }

    private static Object toKernel(Object v, DataType type, String column) {
        if (v == null) {
            return null;
        }
        if (type instanceof DateType && v instanceof LocalDate d) {
            return (int) d.toEpochDay();
        }
        if (type instanceof TimestampType && v instanceof Instant i) {
            return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000);
        }
        if (type instanceof ArrayType at && v instanceof List<?> list) {
            List<Object> elements = new ArrayList<>(list.size());
            for (Object e : list) {
                elements.add(toKernel(e, at.getElementType(), column));
            }
            return VectorUtils.buildArrayValue(elements, at.getElementType());
        }
        if (type instanceof MapType mt && mt.getKeyType() instanceof StringType && mt.getValueType() instanceof StringType
                && v instanceof Map<?, ?> map) {
            Map<String, String> strings = new LinkedHashMap<>();
            map.forEach((k, val) -> strings.put(String.valueOf(k), val == null ? null : String.valueOf(val)));
            return VectorUtils.stringStringMapValue(strings);
        }
        if (type instanceof DateType || type instanceof TimestampType || type instanceof ArrayType || type instanceof MapType) {
            throw new CohortException(CohortException.ErrorCode.INTERNAL, "Value " + v + " (" + v.getClass().getSimpleName()
                    + ") does not fit column '" + column + "' of type " + type + "; pass LocalDate for DATE, Instant for "
                    + "TIMESTAMP, List for ARRAY and Map<String,String> for MAP.");
        }
        return v;
    }

    /** True if the log has a commit; a folder without one (e.g. a failed first write) is created afresh. */
    private static boolean hasCommits(Path log) throws IOException {
        if (!Files.isDirectory(log)) {
            return false;
        }
        try (var files = Files.list(log)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".json"));
        }
    }
}
