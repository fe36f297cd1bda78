package org.medlake.ingest;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionBuilder;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.TableImpl;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lake's ingest tables through Delta Kernel, for the Spark-free {@link LocalIngestJob}: typed schemas from
 * {@link InstanceColumns}, blind appends, whole-table replacement and column scans. Values are plain Java objects
 * as {@link InstanceColumns} describes them, rows are arrays in schema order.
 */
final class KernelTables {
    static final String ENGINE_INFO = "medlake-ingest (Delta Kernel)";

    private KernelTables() {}

    /** A Kernel schema for engine-neutral columns. */
    static StructType schema(List<InstanceColumns.Column> columns) {
        List<StructField> fields = new ArrayList<>();
        for (InstanceColumns.Column c : columns) {
            fields.add(new StructField(c.name(), type(c.type(), c.elementType()), !c.required()));
        }
        return new StructType(fields);
    }

    static DataType type(Class<?> type, Class<?> element) {
        if (type == String.class) return StringType.STRING;
        if (type == Integer.class) return IntegerType.INTEGER;
        if (type == Long.class) return LongType.LONG;
        if (type == Double.class) return DoubleType.DOUBLE;
        if (type == LocalDate.class) return DateType.DATE;
        if (type == Instant.class) return TimestampType.TIMESTAMP;
        if (type == List.class && element != null) return new ArrayType(type(element, null), true);
        throw new IllegalArgumentException("no Delta type for column type " + type + "<" + element + ">");
    }

    /** Whether the table has a commit. */
    static boolean exists(Path table) {
        Path log = table.resolve("_delta_log");
        if (!Files.isDirectory(log)) {
            return false;
        }
        try (var files = Files.list(log)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".json"));
        } catch (IOException e) {
            return true; // let Kernel report what is wrong
        }
    }

    /** Appends rows (arrays in {@code schema} order) in one commit, creating the table if absent. */
    static long append(Engine engine, Path table, StructType schema, Map<String, String> createProperties,
                       List<Object[]> rows) throws IOException {
        return begin(engine, table, schema, createProperties).writeAndCommit(rows, List.of());
    }

    /**
     * Starts an append whose data files are written while the rows are still being produced ({@link
     * PendingAppend#write}), possibly by several threads, and committed (or discarded) at the end. The table is
     * created with {@code schema} and {@code createProperties} by the commit if absent. The caller must keep other
     * writers of the table out until then (the lake's write lock): the transaction is built on the current version.
     */
    static PendingAppend begin(Engine engine, Path table, StructType schema, Map<String, String> createProperties)
            throws IOException {
        Files.createDirectories(table);
        boolean exists = exists(table);
        TransactionBuilder tb = Table.forPath(engine, LocalFileIO.toUriString(table))
                .createTransactionBuilder(engine, ENGINE_INFO, exists ? Operation.WRITE : Operation.CREATE_TABLE);
        if (!exists) {
            tb = tb.withSchema(engine, schema).withTableProperties(engine, createProperties);
        }
        return new PendingAppend(engine, tb.build(engine));
    }

    /** An append in progress: data files written, not yet committed. Thread-safe for concurrent {@link #write}s. */
    static final class PendingAppend {
        private final Engine engine;
        private final Transaction txn;
        private final Row state;
        private final DataWriteContext ctx;
        private final StructType writeSchema;
        private final java.util.Set<String> statisticsColumns;

        private PendingAppend(Engine engine, Transaction txn) {
            this.engine = engine;
            this.txn = txn;
            this.state = txn.getTransactionState(engine);
            this.ctx = Transaction.getWriteContext(engine, state, Map.of());
            this.writeSchema = txn.getSchema(engine);
            this.statisticsColumns = new java.util.HashSet<>();
            for (io.delta.kernel.expressions.Column c : ctx.getStatisticsColumns()) {
                if (c.getNames().length == 1) {
                    statisticsColumns.add(c.getNames()[0]);
                }
            }
        }

        /**
         * Writes the rows of {@code chunks} (arrays in schema order; each chunk becomes one batch, pulled lazily) to
         * new data files, returned for {@link #commit}.
         */
        List<DataFileStatus> write(java.util.Iterator<List<Object[]>> chunks) throws IOException {
            // The lake's tables are unpartitioned and without column mapping: logical rows are the physical ones.
            try (ParquetDataFiles files = new ParquetDataFiles(ctx.getTargetDirectory(), writeSchema, statisticsColumns)) {
                while (chunks.hasNext()) {
                    for (Object[] row : chunks.next()) {
                        files.add(row);
                    }
                }
                return files.finish();
            }
        }

        /** The table's schema, the order of row arrays. */
        StructType schema() {
            return writeSchema;
        }

        /** Commits the files (none: a commit that only creates the table if absent) and returns the version. */
        long commit(List<DataFileStatus> files) throws IOException {
            return commit(files, List.of());
        }

        /** Writes {@code rows} (none: no data file) and commits them with the given remove actions. */
        long writeAndCommit(List<Object[]> rows, List<Row> removes) throws IOException {
            return commit(rows.isEmpty() ? List.of() : write(List.of(rows).iterator()), removes);
        }

        private long commit(List<DataFileStatus> files, List<Row> removes) throws IOException {
            List<Row> actions = new ArrayList<>(removes);
            try (CloseableIterator<Row> it = Transaction.generateAppendActions(engine, state,
                    Utils.toCloseableIterator(files.iterator()), ctx)) {
                it.forEachRemaining(actions::add);
            }
            return txn.commit(engine, CloseableIterable.inMemoryIterable(Utils.toCloseableIterator(actions.iterator())))
                    .getVersion();
        }

        /** Deletes files written for this append that will not be committed. */
        static void discard(List<DataFileStatus> files) throws IOException {
            for (DataFileStatus f : files) {
                Files.deleteIfExists(LocalFileIO.toPath(f.getPath()));
            }
        }
    }

    /**
     * Replaces the table's whole content with {@code rows} in one commit, as Spark's overwrite does: every current
     * data file is removed and the new ones added, so readers see the old or the new content, never a mix, and the
     * table keeps its identity. The table is created with {@code schema} if absent; an existing table whose columns
     * differ from {@code schema} in name or type is replaced as a new table.
     */
    static long overwrite(Engine engine, Path table, StructType schema, List<Object[]> rows) throws IOException {
        Files.createDirectories(table);
        Table t = Table.forPath(engine, LocalFileIO.toUriString(table));
        if (!exists(table)) {
            return new PendingAppend(engine, t.createTransactionBuilder(engine, ENGINE_INFO, Operation.CREATE_TABLE)
                    .withSchema(engine, schema).build(engine)).writeAndCommit(rows, List.of());
        }
        Snapshot snapshot = t.getLatestSnapshot(engine);
        if (!sameColumns(snapshot.getSchema(), schema)) {
            return new PendingAppend(engine, ((TableImpl) t).createReplaceTableTransactionBuilder(engine, ENGINE_INFO)
                    .withSchema(engine, schema).build(engine)).writeAndCommit(rows, List.of());
        }
        List<Row> removes = new ArrayList<>();
        long now = System.currentTimeMillis();
        try (CloseableIterator<FilteredColumnarBatch> files = snapshot.getScanBuilder().build().getScanFiles(engine)) {
            while (files.hasNext()) {
                try (CloseableIterator<Row> rowsOfFiles = files.next().getRows()) {
                    while (rowsOfFiles.hasNext()) {
                        Row add = rowsOfFiles.next().getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
                        removes.add(SingleAction.createRemoveFileSingleAction(
                                new AddFile(add).toRemoveFileRow(true, Optional.of(now))));
                    }
                }
            }
        }
        return new PendingAppend(engine, t.createTransactionBuilder(engine, ENGINE_INFO, Operation.WRITE).build(engine))
                .writeAndCommit(rows, removes);
    }

    private static boolean sameColumns(StructType a, StructType b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (!a.at(i).getName().equals(b.at(i).getName())
                    || !sameType(a.at(i).getDataType(), b.at(i).getDataType())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameType(DataType a, DataType b) {
        if (a instanceof ArrayType x && b instanceof ArrayType y) {
            return sameType(x.getElementType(), y.getElementType()); // element nullability aside
        }
        return a.equals(b);
    }

    /**
     * Every row of the latest snapshot, {@code columns} only (arrays in that order, plain Java values); empty when
     * the table does not exist.
     */
    static List<Object[]> scan(Engine engine, Path table, List<String> columns) throws IOException {
        List<Object[]> out = new ArrayList<>();
        if (!exists(table)) {
            return out;
        }
        Snapshot snapshot = Table.forPath(engine, LocalFileIO.toUriString(table)).getLatestSnapshot(engine);
        StructType schema = snapshot.getSchema();
        List<StructField> fields = new ArrayList<>();
        for (String c : columns) {
            fields.add(schema.get(c));
        }
        StructType readSchema = new StructType(fields);
        Scan scan = snapshot.getScanBuilder().withReadSchema(readSchema).build();
        Row scanState = scan.getScanState(engine);
        StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        FileStatus file = InternalScanFileUtils.getAddFileStatus(scanFile);
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                .readParquetFiles(Utils.singletonCloseableIterator(file), physicalSchema, Optional.empty())
                                .map(FileReadResult::getData);
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next(), readSchema, out);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Every row of the given data files of a table with {@code schema}, in file order (arrays in schema order). */
    static List<Object[]> read(Engine engine, List<? extends FileStatus> files, StructType schema) throws IOException {
        List<Object[]> out = new ArrayList<>();
        try (CloseableIterator<FileReadResult> batches = engine.getParquetHandler().readParquetFiles(
                Utils.toCloseableIterator(new ArrayList<FileStatus>(files).iterator()), schema, Optional.empty())) {
            while (batches.hasNext()) {
                collect(new FilteredColumnarBatch(batches.next().getData(), Optional.empty()), schema, out);
            }
        }
        return out;
    }

    private static void collect(FilteredColumnarBatch filtered, StructType schema, List<Object[]> out) {
        ColumnarBatch batch = filtered.getData();
        Optional<ColumnVector> selection = filtered.getSelectionVector();
        int cols = schema.length();
        for (int r = 0; r < batch.getSize(); r++) {
            if (selection.isPresent() && (selection.get().isNullAt(r) || !selection.get().getBoolean(r))) {
                continue;
            }
            Object[] row = new Object[cols];
            for (int c = 0; c < cols; c++) {
                row[c] = value(batch.getColumnVector(c), r, schema.at(c).getDataType());
            }
            out.add(row);
        }
    }

    private static Object value(ColumnVector v, int r, DataType type) {
        if (v.isNullAt(r)) return null;
        if (type instanceof StringType) return v.getString(r);
        if (type instanceof IntegerType) return v.getInt(r);
        if (type instanceof LongType) return v.getLong(r);
        if (type instanceof DoubleType) return v.getDouble(r);
        if (type instanceof DateType) return LocalDate.ofEpochDay(v.getInt(r));
        if (type instanceof TimestampType) {
            long micros = v.getLong(r);
            return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
        }
        if (type instanceof ArrayType at) {
            var array = v.getArray(r);
            List<Object> list = new ArrayList<>(array.getSize());
            for (int i = 0; i < array.getSize(); i++) {
                list.add(value(array.getElements(), i, at.getElementType()));
            }
            return list;
        }
        throw new IllegalArgumentException("unsupported Delta column type " + type);
    }
}
