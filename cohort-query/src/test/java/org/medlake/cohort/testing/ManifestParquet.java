package org.medlake.cohort.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/** Test helper: reads a Parquet file (e.g. a cohort manifest) back with parquet-mr, independently of the writer. */
public final class ManifestParquet {
    private ManifestParquet() {}

    /** Rows (column name to String or Long) and the file's key-value metadata. */
    public record Content(List<String> columns, List<Map<String, Object>> rows, Map<String, String> metadata) {}

    /** Reads {@code bytes} as a Parquet file. */
    public static Content read(byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile("manifest", ".parquet");
        try {
            Files.write(tmp, bytes);
            return read(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads the Parquet file at {@code file}. */
    public static Content read(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            List<String> columns = schema.getFields().stream().map(Type::getName).toList();
            List<Map<String, Object>> rows = new ArrayList<>();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                        .getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group g = records.read();
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (Type f : schema.getFields()) {
                        boolean isLong = f.asPrimitiveType().getPrimitiveTypeName() == PrimitiveType.PrimitiveTypeName.INT64;
                        row.put(f.getName(), isLong ? (Object) g.getLong(f.getName(), 0) : g.getString(f.getName(), 0));
                    }
                    rows.add(row);
                }
            }
            return new Content(columns, rows, reader.getFooter().getFileMetaData().getKeyValueMetaData());
        }
    }
}
