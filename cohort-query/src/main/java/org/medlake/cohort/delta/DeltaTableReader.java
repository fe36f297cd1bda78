package org.medlake.cohort.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;
import org.medlake.cohort.CohortException;

/**
 * Reads whole Delta tables of the lake with Delta Kernel (no Spark), e.g. the {@code instances} table written by
 * the Spark ingest job. Deletion vectors and column mapping are honoured (Kernel's scan transforms them).
 *
 * <p>Values come back as plain Java objects: STRING {@link String}, INT {@link Integer}, BIGINT {@link Long},
 * SMALLINT {@link Short}, BOOLEAN, FLOAT, DOUBLE, DATE {@link LocalDate}, TIMESTAMP {@link Instant} (UTC),
 * ARRAY {@link List}, MAP {@link Map} (insertion-ordered); SQL NULL is {@code null} (the key is still present in the row map). Other types are
 * rejected with an {@code INTERNAL} {@link CohortException}.
 *
 * <p>An absent table (no {@code _delta_log}) is not an error: {@link #read} returns empty and
 * {@link #latestVersion} returns empty. Thread-safe; one instance can be shared.
 */
public final class DeltaTableReader {
    private final Engine engine;

    /** A reader using Kernel's default engine on a fresh Hadoop configuration (local file system). */
    public DeltaTableReader() {
        this(DefaultEngine.create(new Configuration()));
    }

    /** A reader using the given Kernel engine. */
    public DeltaTableReader(Engine engine) {
        this.engine = engine;
    }

    /** A snapshot's rows (column name to value, in the requested column order) and its table version. */
    public record TableData(long version, List<Map<String, Object>> rows) {
        public TableData {
            rows = Collections.unmodifiableList(rows);
        }
    }

    /** The latest committed version of the table at {@code tablePath}, or empty if there is no Delta table there. */
    public OptionalLong latestVersion(Path tablePath) {
        return snapshot(tablePath).map(s -> OptionalLong.of(s.getVersion())).orElse(OptionalLong.empty());
    }

    /**
     * Reads every row of the latest snapshot of the table at {@code tablePath}.
     *
     * @param columns the columns to read, in the order they should appear in each row map; empty = all columns
     * @return the rows and the snapshot version, or empty if there is no Delta table at {@code tablePath}
     * @throws CohortException {@code USER_ERROR} if a requested column does not exist, {@code EXTERNAL} if the
     *         table files cannot be read
     */
    public Optional<TableData> read(Path tablePath, List<String> columns) {
        Optional<Snapshot> maybe = snapshot(tablePath);
        if (maybe.isEmpty()) {
            return Optional.empty();
        }
        Snapshot snapshot = maybe.get();
        StructType schema = snapshot.getSchema();
        StructType readSchema = schema;
        if (!columns.isEmpty()) {
            List<StructField> fields = new ArrayList<>();
            for (String c : columns) {
                if (schema.indexOf(c) < 0) {
                    throw new CohortException(CohortException.ErrorCode.USER_ERROR, "Column '" + c + "' does not exist in "
                            + "the Delta table at " + tablePath + " (version " + snapshot.getVersion() + "); its columns are "
                            + schema.fieldNames() + ". Check the column name or re-run the job that writes the table.");
                }
                fields.add(schema.get(c));
            }
            readSchema = new StructType(fields);
        }
        try {
            return Optional.of(new TableData(snapshot.getVersion(), scan(snapshot, readSchema)));
        } catch (IOException e) {
            throw new CohortException(CohortException.ErrorCode.EXTERNAL, "Cannot read the Delta table at " + tablePath
                    + " version " + snapshot.getVersion() + ": " + e.getMessage() + ". Check that the data files exist "
                    + "and are readable (was the table folder modified outside Delta?).", e);
        }
    }

    /** The column names of the latest snapshot of the table at {@code tablePath}, or empty if there is no table. */
    public Optional<List<String>> columns(Path tablePath) {
        return snapshot(tablePath).map(s -> List.copyOf(s.getSchema().fieldNames()));
    }

    /**
     * The distinct non-null values of string column {@code column} in every data file that commits
     * {@code fromVersion + 1 .. toVersion} added or removed (with or without a data change, so compactions count too).
     * This is how an incremental reader learns which keys (e.g. series UIDs) the commits touched without comparing
     * whole snapshots: a row that was added, rewritten or deleted sits in one of those files.
     *
     * @param fromVersion last version already processed (-1 = none: every commit from 0)
     * @param toVersion   last version to include (normally the latest)
     * @return the values, or empty when they cannot be known from the log: the commits or a removed data file are
     *         gone (log cleanup, VACUUM), or the column does not exist. The caller must then compare everything.
     * @throws CohortException EXTERNAL when a file that exists cannot be read
     */
    public Optional<java.util.Set<String>> valuesInChangedFiles(Path tablePath, long fromVersion, long toVersion, String column) {
        java.util.Set<String> values = new java.util.HashSet<>();
        if (toVersion <= fromVersion) {
            return Optional.of(values);
        }
        Optional<Snapshot> latest = snapshot(tablePath);
        if (latest.isEmpty()) {
            return Optional.empty();
        }
        StructType schema = latest.get().getSchema();
        int idx = schema.indexOf(column);
        if (idx < 0 || !(schema.at(idx).getDataType() instanceof StringType)) {
            return Optional.empty();
        }
        StructField field = schema.at(idx);
        Object physical = field.getMetadata().get("delta.columnMapping.physicalName");
        StructType physicalSchema = new StructType().add(physical == null ? column : physical.toString(), StringType.STRING, true);
        String root = tablePath.toAbsolutePath().toUri().toString();
        java.net.URI base = java.net.URI.create(root.endsWith("/") ? root : root + "/");
        java.util.Set<String> files = new java.util.LinkedHashSet<>();
        try {
            io.delta.kernel.internal.TableImpl table = (io.delta.kernel.internal.TableImpl) Table.forPath(engine, root);
            try (CloseableIterator<ColumnarBatch> changes = table.getChanges(engine, fromVersion + 1, toVersion, java.util.Set.of(
                    io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction.ADD,
                    io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction.REMOVE))) {
                while (changes.hasNext()) {
                    ColumnarBatch batch = changes.next();
                    for (String action : List.of("add", "remove")) {
                        int a = batch.getSchema().indexOf(action);
                        if (a < 0) {
                            continue;
                        }
                        ColumnVector struct = batch.getColumnVector(a);
                        StructType structType = (StructType) batch.getSchema().at(a).getDataType();
                        ColumnVector paths = struct.getChild(structType.indexOf("path"));
                        for (int r = 0; r < batch.getSize(); r++) {
                            if (!struct.isNullAt(r) && !paths.isNullAt(r)) {
                                files.add(base.resolve(java.net.URI.create(paths.getString(r))).toString());
                            }
                        }
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            // Commits no longer in the log (cleaned up after a checkpoint) or an unreadable log: not knowable.
            return Optional.empty();
        }
        for (String file : files) {
            Path local;
            try {
                local = Path.of(java.net.URI.create(file));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
            if (!Files.isRegularFile(local)) {
                return Optional.empty();
            }
            try {
                FileStatus status = FileStatus.of(file, Files.size(local), Files.getLastModifiedTime(local).toMillis());
                try (CloseableIterator<ColumnarBatch> data = engine.getParquetHandler()
                        .readParquetFiles(Utils.singletonCloseableIterator(status), physicalSchema, Optional.empty())
                        .map(FileReadResult::getData)) {
                    while (data.hasNext()) {
                        ColumnarBatch batch = data.next();
                        ColumnVector v = batch.getColumnVector(0);
                        for (int r = 0; r < batch.getSize(); r++) {
                            if (!v.isNullAt(r)) {
                                values.add(v.getString(r));
                            }
                        }
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new CohortException(CohortException.ErrorCode.EXTERNAL, "Cannot read data file " + file + " of the "
                        + "Delta table at " + tablePath + ": " + e.getMessage() + ". Check that the file is readable.", e);
            }
        }
        return Optional.of(values);
    }

    private Optional<Snapshot> snapshot(Path tablePath) {
        if (!Files.isDirectory(tablePath.resolve("_delta_log"))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Table.forPath(engine, tablePath.toAbsolutePath().toUri().toString()).getLatestSnapshot(engine));
        } catch (TableNotFoundException e) {
            return Optional.empty();
        } catch (UncheckedIOException e) {
            throw new CohortException(CohortException.ErrorCode.EXTERNAL, "Cannot read the Delta log at " + tablePath
                    + ": " + e.getMessage() + ". Check file permissions.", e);
        }
    }

    private List<Map<String, Object>> scan(Snapshot snapshot, StructType readSchema) throws IOException {
        Scan scan = snapshot.getScanBuilder().withReadSchema(readSchema).build();
        Row scanState = scan.getScanState(engine);
        StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                FilteredColumnarBatch scanFileBatch = scanFiles.next();
                try (CloseableIterator<Row> scanFileRows = scanFileBatch.getRows()) {
                    while (scanFileRows.hasNext()) {
                        Row scanFile = scanFileRows.next();
                        FileStatus file = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                .readParquetFiles(Utils.singletonCloseableIterator(file), physicalSchema, Optional.empty())
                                .map(FileReadResult::getData);
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next(), rows);
                            }
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static void collect(FilteredColumnarBatch filtered, List<Map<String, Object>> out) {
        ColumnarBatch batch = filtered.getData();
        StructType schema = batch.getSchema();
        Optional<ColumnVector> selection = filtered.getSelectionVector();
        int n = batch.getSize();
        int cols = schema.length();
        ColumnVector[] vectors = new ColumnVector[cols];
        for (int c = 0; c < cols; c++) {
            vectors[c] = batch.getColumnVector(c);
        }
        for (int r = 0; r < n; r++) {
            if (selection.isPresent() && (selection.get().isNullAt(r) || !selection.get().getBoolean(r))) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < cols; c++) {
                row.put(schema.at(c).getName(), value(vectors[c], r, schema.at(c).getDataType()));
            }
            out.add(Collections.unmodifiableMap(row));
        }
    }

    private static Object value(ColumnVector v, int r, DataType type) {
        if (v.isNullAt(r)) {
            return null;
        }
        if (type instanceof StringType) return v.getString(r);
        if (type instanceof IntegerType) return v.getInt(r);
        if (type instanceof LongType) return v.getLong(r);
        if (type instanceof ShortType) return v.getShort(r);
        if (type instanceof BooleanType) return v.getBoolean(r);
        if (type instanceof DoubleType) return v.getDouble(r);
        if (type instanceof FloatType) return v.getFloat(r);
        if (type instanceof DateType) return LocalDate.ofEpochDay(v.getInt(r));
        if (type instanceof TimestampType) return micros(v.getLong(r));
        if (type instanceof TimestampNTZType) return LocalDateTime.ofInstant(micros(v.getLong(r)), ZoneOffset.UTC);
        if (type instanceof ArrayType at) {
            var array = v.getArray(r);
            ColumnVector elements = array.getElements();
            List<Object> list = new ArrayList<>(array.getSize());
            for (int i = 0; i < array.getSize(); i++) {
                list.add(value(elements, i, at.getElementType()));
            }
            return Collections.unmodifiableList(list);
        }
        if (type instanceof MapType mt) {
            var map = v.getMap(r);
            ColumnVector keys = map.getKeys();
            ColumnVector values = map.getValues();
            Map<Object, Object> out = new LinkedHashMap<>();
            for (int i = 0; i < map.getSize(); i++) {
                out.put(value(keys, i, mt.getKeyType()), value(values, i, mt.getValueType()));
            }
            return Collections.unmodifiableMap(out);
        }
        throw new CohortException(CohortException.ErrorCode.INTERNAL, "Delta column type " + type + " is not "
                + "supported by DeltaTableReader; extend DeltaTableReader.value() or do not select this column.");
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }
}
