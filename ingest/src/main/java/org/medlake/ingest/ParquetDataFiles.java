package org.medlake.ingest;

import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.statistics.DataFileStatistics;
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
import io.delta.kernel.utils.DataFileStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.parquet.format.ColumnChunk;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.CompressionCodec;
import org.apache.parquet.format.ConvertedType;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.FieldRepetitionType;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.ListType;
import org.apache.parquet.format.LogicalType;
import org.apache.parquet.format.MicroSeconds;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.RowGroup;
import org.apache.parquet.format.SchemaElement;
import org.apache.parquet.format.TimeUnit;
import org.apache.parquet.format.Util;
import org.xerial.snappy.Snappy;

/**
 * Writes rows to new Parquet data files of an unpartitioned Delta table without column mapping (the lake's ingest
 * tables), and returns them with the Delta file statistics a commit needs: the row count, and the null count, min
 * and max of the requested top-level columns.
 *
 * <p>Rows are arrays in schema order holding plain Java values ({@link String}, {@link Integer}, {@link Long},
 * {@link Double}, {@link LocalDate}, {@link Instant}, {@link List} of those), as {@link InstanceColumns} describes.
 * Columns may be strings, 32/64-bit integers, doubles, dates, timestamps (microseconds, UTC) and arrays of those;
 * anything else is refused when the writer is made. Files are plain Parquet any reader accepts: one row group, V1
 * data pages of PLAIN values with RLE levels, Snappy-compressed, standard three-level lists.
 *
 * <p>Why not Delta Kernel's writer: for the ingest of many small instances it spent about a third of the run's CPU
 * (dictionaries and statistics on every one of ~90 columns, a long header JSON among them) and as much again
 * compiling its code paths in a fresh JVM. This writer does only what the tables need.
 *
 * <p>Not thread-safe: one writer per thread. A file is complete on disk before it is returned; files of a writer
 * that is {@linkplain #close() closed} without {@link #finish()} are deleted.
 */
final class ParquetDataFiles implements AutoCloseable {
    /** A page is cut when its values reach this size ... */
    static final int PAGE_BYTES = 1 << 20;
    /** ... or this many rows, so that readers never hold large pages. */
    static final int PAGE_ROWS = 20_000;
    /** A file is finished when its compressed pages reach this size; the next rows go to a new file. */
    static final long FILE_BYTES = 96L << 20;

    private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
    private static final String CREATED_BY = "medlake-ingest version 0.1.0 (build parquet-data-files)";

    private final String targetDirectory;
    private final int pageRowLimit;
    private final long fileBytes;
    private final Leaf[] leaves;
    private final List<SchemaElement> parquetSchema;
    private final List<DataFileStatus> written = new ArrayList<>();
    private final List<Path> paths = new ArrayList<>();
    private final ByteArrayOutputStream pageHeader = new ByteArrayOutputStream(64);
    private final Bytes body = new Bytes(PAGE_BYTES + 4096);
    private byte[] compressed = new byte[Snappy.maxCompressedLength(PAGE_BYTES + 4096)];
    private long rows;
    private int pageRows;
    private long buffered;
    private boolean finished;

    /**
     * A writer of files under {@code targetDirectory} (a URI of a local folder, as Delta Kernel's write context gives
     * it; returned paths are spelled {@code file:/absolute/path}, unescaped) for rows of {@code schema}, keeping min, max and null
     * counts for the top-level columns in {@code statisticsColumns}.
     */
    ParquetDataFiles(String targetDirectory, StructType schema, Set<String> statisticsColumns) {
        this(targetDirectory, schema, statisticsColumns, PAGE_ROWS, FILE_BYTES);
    }

    /** As above, with the page row limit and the file size target given (small ones exercise the cuts). */
    ParquetDataFiles(String targetDirectory, StructType schema, Set<String> statisticsColumns, int pageRowLimit,
                     long fileBytes) {
        this.pageRowLimit = pageRowLimit;
        this.fileBytes = fileBytes;
        this.targetDirectory = targetDirectory.endsWith("/") ? targetDirectory : targetDirectory + "/";
        this.leaves = new Leaf[schema.length()];
        this.parquetSchema = new ArrayList<>();
        SchemaElement root = new SchemaElement("spark_schema");
        root.setNum_children(schema.length());
        parquetSchema.add(root);
        for (int c = 0; c < schema.length(); c++) {
            StructField f = schema.at(c);
            leaves[c] = new Leaf(f, statisticsColumns.contains(f.getName()));
            parquetSchema.addAll(leaves[c].schemaElements());
        }
    }

    /** Buffers one row (an array in schema order); finishes the current file when it is large enough. */
    void add(Object[] row) throws IOException {
        if (row.length != leaves.length) {
            throw new IllegalArgumentException("row has " + row.length + " values, the schema " + leaves.length);
        }
        for (int c = 0; c < leaves.length; c++) {
            leaves[c].add(row[c]);
        }
        rows++;
        if (++pageRows >= pageRowLimit) {
            for (Leaf l : leaves) {
                cutPage(l);
            }
            pageRows = 0;
        } else {
            for (Leaf l : leaves) {
                if (l.values.size >= PAGE_BYTES) {
                    cutPage(l);
                }
            }
        }
        if (buffered >= fileBytes) {
            writeFile();
        }
    }

    /** Writes the buffered rows (if any) to a last file and returns every file written, in order. */
    List<DataFileStatus> finish() throws IOException {
        if (rows > 0) {
            writeFile();
        }
        finished = true;
        return List.copyOf(written);
    }

    /** Deletes the written files unless {@link #finish()} returned them. */
    @Override
    public void close() throws IOException {
        if (!finished) {
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void cutPage(Leaf l) throws IOException {
        if (l.entries == 0) {
            return;
        }
        body.size = 0;
        if (l.maxRep > 0) {
            levels(l.reps, l.entries, l.maxRep);
        }
        if (l.maxDef > 0) {
            levels(l.defs, l.entries, l.maxDef);
        }
        body.put(l.values.data, 0, l.values.size);
        int max = Snappy.maxCompressedLength(body.size);
        if (compressed.length < max) {
            compressed = new byte[max];
        }
        int length = Snappy.compress(body.data, 0, body.size, compressed, 0);
        PageHeader header = new PageHeader(PageType.DATA_PAGE, body.size, length);
        header.setData_page_header(new DataPageHeader(l.entries, Encoding.PLAIN, Encoding.RLE, Encoding.RLE));
        pageHeader.reset();
        Util.writePageHeader(header, pageHeader);
        l.chunk.put(pageHeader.toByteArray(), 0, pageHeader.size());
        l.chunk.put(compressed, 0, length);
        l.uncompressed += pageHeader.size() + body.size;
        l.numValues += l.entries;
        buffered += pageHeader.size() + length;
        l.entries = 0;
        l.values.size = 0;
    }

    /** Levels as a V1 page stores them: a 4-byte little-endian length, then RLE runs of the hybrid encoding. */
    private void levels(byte[] levels, int n, int maxLevel) {
        int lengthAt = body.size;
        body.putIntLE(0);
        int width = (32 - Integer.numberOfLeadingZeros(maxLevel) + 7) / 8;
        int i = 0;
        while (i < n) {
            byte v = levels[i];
            int j = i + 1;
            while (j < n && levels[j] == v) {
                j++;
            }
            body.putVarInt((j - i) << 1);
            for (int b = 0; b < width; b++) {
                body.put(b == 0 ? v : 0);
            }
            i = j;
        }
        int length = body.size - lengthAt - 4;
        body.setIntLE(lengthAt, length);
    }

    private void writeFile() throws IOException {
        for (Leaf l : leaves) {
            cutPage(l);
        }
        String name = "part-" + UUID.randomUUID() + ".snappy.parquet";
        // Kernel gives the folder as a URI (escaped); it takes file paths spelled unescaped, as Hadoop does.
        Path path = Path.of(java.net.URI.create(targetDirectory + name));
        paths.add(path);
        long size;
        List<ColumnChunk> chunks = new ArrayList<>(leaves.length);
        long uncompressed = 0;
        long compressedTotal = 0;
        try (io.delta.kernel.defaults.engine.fileio.PositionOutputStream out = LocalFileIO.create(path, false)) {
            out.write(MAGIC);
            for (Leaf l : leaves) {
                long offset = out.getPos();
                out.write(l.chunk.data, 0, l.chunk.size);
                ColumnMetaData meta = new ColumnMetaData(l.type, l.encodings(), l.path, CompressionCodec.SNAPPY,
                        l.numValues, l.uncompressed, l.chunk.size, offset);
                ColumnChunk chunk = new ColumnChunk(offset);
                chunk.setMeta_data(meta);
                chunks.add(chunk);
                uncompressed += l.uncompressed;
                compressedTotal += l.chunk.size;
            }
            RowGroup group = new RowGroup(chunks, uncompressed, rows);
            group.setFile_offset(MAGIC.length);
            group.setTotal_compressed_size(compressedTotal);
            FileMetaData footer = new FileMetaData(1, parquetSchema, rows, List.of(group));
            footer.setCreated_by(CREATED_BY);
            long footerStart = out.getPos();
            Util.writeFileMetaData(footer, out);
            int footerLength = (int) (out.getPos() - footerStart);
            out.write(new byte[] {(byte) footerLength, (byte) (footerLength >>> 8), (byte) (footerLength >>> 16),
                    (byte) (footerLength >>> 24)});
            out.write(MAGIC);
            size = out.getPos();
        }
        written.add(new DataFileStatus(LocalFileIO.toUriString(path), size, Files.getLastModifiedTime(path).toMillis(),
                Optional.of(statistics())));
        for (Leaf l : leaves) {
            l.resetChunk();
        }
        rows = 0;
        pageRows = 0;
        buffered = 0;
    }

    private DataFileStatistics statistics() {
        Map<Column, Literal> min = new HashMap<>();
        Map<Column, Literal> max = new HashMap<>();
        Map<Column, Long> nulls = new HashMap<>();
        for (Leaf l : leaves) {
            if (!l.stats || l.list) {
                continue;
            }
            Column col = new Column(l.name);
            nulls.put(col, l.nulls);
            if (l.hasMinMax()) {
                min.put(col, l.literal(true));
                max.put(col, l.literal(false));
            }
        }
        return new DataFileStatistics(rows, min, max, nulls, Optional.empty());
    }

    private enum Kind { STRING, INT, LONG, DOUBLE, DATE, TIMESTAMP }

    private static Kind kind(DataType t, String column) {
        if (t instanceof StringType) return Kind.STRING;
        if (t instanceof IntegerType) return Kind.INT;
        if (t instanceof LongType) return Kind.LONG;
        if (t instanceof DoubleType) return Kind.DOUBLE;
        if (t instanceof DateType) return Kind.DATE;
        if (t instanceof TimestampType) return Kind.TIMESTAMP;
        throw new IllegalArgumentException("column '" + column + "': no Parquet encoding here for type " + t);
    }

    /** One column: its page being filled, its pages written so far, and its statistics for the current file. */
    private static final class Leaf {
        final String name;
        final boolean list;
        final boolean nullable;
        final boolean elementNullable;
        final Kind kind;
        final org.apache.parquet.format.Type type;
        final List<String> path;
        final boolean stats;
        final int maxDef;
        final int maxRep;
        final Bytes values = new Bytes(1 << 12);
        byte[] defs = new byte[1 << 10];
        byte[] reps = new byte[1 << 10];
        int entries;
        final Bytes chunk = new Bytes(1 << 12);
        long uncompressed;
        long numValues;
        long nulls;
        byte[] minBytes;
        byte[] maxBytes;
        long minLong = Long.MAX_VALUE;
        long maxLong = Long.MIN_VALUE;
        double minDouble = Double.POSITIVE_INFINITY;
        double maxDouble = Double.NEGATIVE_INFINITY;
        boolean nan;
        boolean any;

        Leaf(StructField f, boolean stats) {
            this.name = f.getName();
            this.nullable = f.isNullable();
            DataType t = f.getDataType();
            this.list = t instanceof ArrayType;
            this.elementNullable = list && ((ArrayType) t).containsNull();
            this.kind = kind(list ? ((ArrayType) t).getElementType() : t, name);
            this.type = switch (kind) {
                case STRING -> org.apache.parquet.format.Type.BYTE_ARRAY;
                case INT, DATE -> org.apache.parquet.format.Type.INT32;
                case LONG, TIMESTAMP -> org.apache.parquet.format.Type.INT64;
                case DOUBLE -> org.apache.parquet.format.Type.DOUBLE;
            };
            this.path = list ? List.of(name, "list", "element") : List.of(name);
            this.stats = stats;
            // Definition levels count the optional or repeated fields present on the way to the value.
            this.maxDef = list ? (nullable ? 1 : 0) + 1 + (elementNullable ? 1 : 0) : (nullable ? 1 : 0);
            this.maxRep = list ? 1 : 0;
        }

        List<SchemaElement> schemaElements() {
            if (!list) {
                return List.of(leafElement(name, nullable));
            }
            SchemaElement outer = new SchemaElement(name);
            outer.setRepetition_type(nullable ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED);
            outer.setNum_children(1);
            outer.setConverted_type(ConvertedType.LIST);
            outer.setLogicalType(LogicalType.LIST(new ListType()));
            SchemaElement repeated = new SchemaElement("list");
            repeated.setRepetition_type(FieldRepetitionType.REPEATED);
            repeated.setNum_children(1);
            return List.of(outer, repeated, leafElement("element", elementNullable));
        }

        private SchemaElement leafElement(String leafName, boolean optional) {
            SchemaElement e = new SchemaElement(leafName);
            e.setType(type);
            e.setRepetition_type(optional ? FieldRepetitionType.OPTIONAL : FieldRepetitionType.REQUIRED);
            switch (kind) {
                case STRING -> {
                    e.setConverted_type(ConvertedType.UTF8);
                    e.setLogicalType(LogicalType.STRING(new org.apache.parquet.format.StringType()));
                }
                case DATE -> {
                    e.setConverted_type(ConvertedType.DATE);
                    e.setLogicalType(LogicalType.DATE(new org.apache.parquet.format.DateType()));
                }
                case TIMESTAMP -> {
                    e.setConverted_type(ConvertedType.TIMESTAMP_MICROS);
                    e.setLogicalType(LogicalType.TIMESTAMP(new org.apache.parquet.format.TimestampType(true,
                            TimeUnit.MICROS(new MicroSeconds()))));
                }
                default -> { }
            }
            return e;
        }

        List<Encoding> encodings() {
            return maxDef > 0 || maxRep > 0 ? List.of(Encoding.PLAIN, Encoding.RLE) : List.of(Encoding.PLAIN);
        }

        void add(Object v) {
            if (!list) {
                if (v == null) {
                    if (!nullable) {
                        throw new IllegalArgumentException("column '" + name + "' is NOT NULL but the row has no value");
                    }
                    nulls++;
                    entry(0, 0);
                } else {
                    entry(0, maxDef);
                    value(v, stats);
                }
                return;
            }
            if (v == null) {
                if (!nullable) {
                    throw new IllegalArgumentException("column '" + name + "' is NOT NULL but the row has no value");
                }
                nulls++;
                entry(0, 0);
                return;
            }
            List<?> elements = (List<?>) v;
            int listPresent = nullable ? 1 : 0;
            if (elements.isEmpty()) {
                entry(0, listPresent);
                return;
            }
            int rep = 0;
            for (Object e : elements) {
                if (e == null) {
                    if (!elementNullable) {
                        throw new IllegalArgumentException("column '" + name + "' holds a null element");
                    }
                    entry(rep, listPresent + 1);
                } else {
                    entry(rep, maxDef);
                    value(e, false);
                }
                rep = 1;
            }
        }

        private void entry(int rep, int def) {
            if (entries == defs.length) {
                defs = Arrays.copyOf(defs, entries * 2);
                reps = Arrays.copyOf(reps, entries * 2);
            }
            defs[entries] = (byte) def;
            reps[entries] = (byte) rep;
            entries++;
        }

        private void value(Object v, boolean track) {
            switch (kind) {
                case STRING -> {
                    byte[] b = ((String) v).getBytes(StandardCharsets.UTF_8);
                    values.putIntLE(b.length);
                    values.put(b, 0, b.length);
                    if (track) {
                        // Unsigned byte order of UTF-8 is code-point order, the order Delta compares strings in.
                        if (minBytes == null || Arrays.compareUnsigned(b, minBytes) < 0) minBytes = b;
                        if (maxBytes == null || Arrays.compareUnsigned(b, maxBytes) > 0) maxBytes = b;
                    }
                }
                case INT -> {
                    int i = (Integer) v;
                    values.putIntLE(i);
                    if (track) trackLong(i);
                }
                case DATE -> {
                    int d = (int) ((LocalDate) v).toEpochDay();
                    values.putIntLE(d);
                    if (track) trackLong(d);
                }
                case LONG -> {
                    long l = (Long) v;
                    values.putLongLE(l);
                    if (track) trackLong(l);
                }
                case TIMESTAMP -> {
                    Instant t = (Instant) v;
                    long micros = Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
                    values.putLongLE(micros);
                    if (track) trackLong(micros);
                }
                case DOUBLE -> {
                    double d = (Double) v;
                    values.putLongLE(Double.doubleToRawLongBits(d));
                    if (track) {
                        if (Double.isNaN(d)) {
                            nan = true;
                        } else {
                            minDouble = Math.min(minDouble, d);
                            maxDouble = Math.max(maxDouble, d);
                        }
                    }
                }
            }
            any = true;
        }

        private void trackLong(long v) {
            minLong = Math.min(minLong, v);
            maxLong = Math.max(maxLong, v);
        }

        /** Whether min and max are known: some value, and no NaN (which has no place in an order). */
        boolean hasMinMax() {
            return any && !nan;
        }

        Literal literal(boolean min) {
            return switch (kind) {
                case STRING -> Literal.ofString(new String(min ? minBytes : maxBytes, StandardCharsets.UTF_8));
                case INT -> Literal.ofInt((int) (min ? minLong : maxLong));
                case DATE -> Literal.ofDate((int) (min ? minLong : maxLong));
                case LONG -> Literal.ofLong(min ? minLong : maxLong);
                case TIMESTAMP -> Literal.ofTimestamp(min ? minLong : maxLong);
                case DOUBLE -> Literal.ofDouble(min ? minDouble : maxDouble);
            };
        }

        void resetChunk() {
            chunk.size = 0;
            uncompressed = 0;
            numValues = 0;
            nulls = 0;
            minBytes = null;
            maxBytes = null;
            minLong = Long.MAX_VALUE;
            maxLong = Long.MIN_VALUE;
            minDouble = Double.POSITIVE_INFINITY;
            maxDouble = Double.NEGATIVE_INFINITY;
            nan = false;
            any = false;
        }
    }

    /** A growable byte array with little-endian writes. */
    private static final class Bytes {
        byte[] data;
        int size;

        Bytes(int capacity) {
            data = new byte[capacity];
        }

        private void ensure(int more) {
            if (size + more > data.length) {
                data = Arrays.copyOf(data, Math.max(size + more, data.length * 2));
            }
        }

        void put(byte b) {
            ensure(1);
            data[size++] = b;
        }

        void put(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, data, size, len);
            size += len;
        }

        void putIntLE(int v) {
            ensure(4);
            setIntLE(size, v);
            size += 4;
        }

        void setIntLE(int at, int v) {
            data[at] = (byte) v;
            data[at + 1] = (byte) (v >>> 8);
            data[at + 2] = (byte) (v >>> 16);
            data[at + 3] = (byte) (v >>> 24);
        }

        void putLongLE(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                data[size + i] = (byte) (v >>> (8 * i));
            }
            size += 8;
        }

        void putVarInt(int v) {
            while ((v & ~0x7F) != 0) {
                put((byte) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            put((byte) v);
        }
    }
}
