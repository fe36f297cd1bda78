package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.DataFileStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ParquetDataFiles} against Delta Kernel's own Parquet reader (parquet-mr underneath): every value type,
 * nulls, empty lists and null elements, non-ASCII text, page and file cuts, and the Delta statistics.
 */
class ParquetDataFilesTest {
    static final List<InstanceColumns.Column> COLUMNS = List.of(
            new InstanceColumns.Column("uid", String.class, null, true),
            new InstanceColumns.Column("text", String.class, null, false),
            new InstanceColumns.Column("n", Integer.class, null, false),
            new InstanceColumns.Column("big", Long.class, null, true),
            new InstanceColumns.Column("x", Double.class, null, false),
            new InstanceColumns.Column("day", LocalDate.class, null, false),
            new InstanceColumns.Column("at", Instant.class, null, false),
            new InstanceColumns.Column("xs", List.class, Double.class, false),
            new InstanceColumns.Column("names", List.class, String.class, false));
    static final StructType SCHEMA = KernelTables.schema(COLUMNS);

    @TempDir
    Path dir;

    private final Engine engine = DefaultEngine.create(new Configuration());

    /** Row {@code i}: a deterministic mix of values, nulls and list shapes. */
    static Object[] row(int i, Random r) {
        List<Double> xs = switch (i % 5) {
            case 0 -> null;
            case 1 -> List.of();
            case 2 -> Arrays.asList(1.5, null, -2.25);
            default -> List.of(r.nextDouble(), (double) i);
        };
        List<String> names = i % 4 == 0 ? null : i % 4 == 1 ? List.of() : Arrays.asList("a" + i, null, "Zoë 東京 𝄞");
        return new Object[] {
            String.format("1.2.840.%06d", i),
            i % 3 == 0 ? null : i % 3 == 1 ? "Müller^Hans " + i : "x".repeat(i % 200),
            i % 7 == 0 ? null : i - 50,
            (long) i * 1_000_000_007L,
            i % 11 == 0 ? null : (i % 13 == 0 ? Double.NaN : i * 0.5 - 10),
            i % 6 == 0 ? null : LocalDate.of(1950, 1, 1).plusDays(i),
            i % 8 == 0 ? null : Instant.ofEpochSecond(1_700_000_000L + i, (i % 1000) * 1000L),
            xs, names};
    }

    @Test
    void everyValueReadsBackThroughKernelAcrossPagesAndFiles() throws Exception {
        Random r = new Random(7);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            rows.add(row(i, r));
        }
        List<DataFileStatus> files;
        // Small pages and files: 333 rows per page, a new file every ~20 KB of compressed pages.
        try (ParquetDataFiles w = new ParquetDataFiles(dir.toUri().toString(), SCHEMA, Set.of("uid", "n", "x", "day"),
                333, 20_000)) {
            for (Object[] row : rows) {
                w.add(row);
            }
            files = w.finish();
        }
        assertThat(files).hasSizeGreaterThan(2);
        assertThat(files.stream().mapToLong(f -> f.getStatistics().orElseThrow().getNumRecords()).sum()).isEqualTo(5000);
        for (DataFileStatus f : files) {
            assertThat(f.getPath()).startsWith(LocalFileIO.toUriString(dir) + "/");
            assertThat(Files.size(LocalFileIO.toPath(f.getPath()))).isEqualTo(f.getSize());
        }
        List<Object[]> back = KernelTables.read(engine, files, SCHEMA);
        assertThat(back).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(back.get(i)).as("row %d", i).containsExactly(rows.get(i));
        }
    }

    @Test
    void statisticsGiveCountsAndBoundsOfTheRequestedColumns() throws Exception {
        List<Object[]> rows = new ArrayList<>();
        Random r = new Random(3);
        for (int i = 1; i <= 40; i++) {
            rows.add(row(i, r));
        }
        DataFileStatistics stats;
        try (ParquetDataFiles w = new ParquetDataFiles(dir.toUri().toString(), SCHEMA,
                Set.of("uid", "text", "n", "big", "x", "day", "at", "xs"))) {
            for (Object[] row : rows) {
                w.add(row);
            }
            List<DataFileStatus> files = w.finish();
            assertThat(files).hasSize(1);
            stats = files.get(0).getStatistics().orElseThrow();
        }
        assertThat(stats.getNumRecords()).isEqualTo(40);
        Map<Column, Long> nulls = stats.getNullCount();
        assertThat(nulls.get(new Column("uid"))).isZero();
        assertThat(nulls.get(new Column("text"))).isEqualTo(13); // i % 3 == 0 for i in 1..40
        assertThat(nulls.get(new Column("n"))).isEqualTo(5);
        assertThat(nulls).doesNotContainKey(new Column("xs")); // no statistics on lists
        assertThat(stats.getMinValues().get(new Column("uid")).getValue()).isEqualTo("1.2.840.000001");
        assertThat(stats.getMaxValues().get(new Column("uid")).getValue()).isEqualTo("1.2.840.000040");
        assertThat(stats.getMinValues().get(new Column("n")).getValue()).isEqualTo(-49);
        assertThat(stats.getMaxValues().get(new Column("n")).getValue()).isEqualTo(-10);
        assertThat(stats.getMinValues().get(new Column("day")).getValue())
                .isEqualTo((int) LocalDate.of(1950, 1, 2).toEpochDay());
        // "x" holds a NaN (i = 13 and 26): no order, so no bounds, as Delta's own writers do.
        assertThat(stats.getMinValues()).doesNotContainKey(new Column("x"));
        // Strings compare by code point: "x…" sorts above "Müller…".
        assertThat((String) stats.getMaxValues().get(new Column("text")).getValue()).startsWith("x");
    }

    @Test
    void aMissingRequiredValueIsRefusedAndUnfinishedFilesAreDeleted() throws Exception {
        try (ParquetDataFiles w = new ParquetDataFiles(dir.toUri().toString(), SCHEMA, Set.of(), 10, 100)) {
            Random r = new Random(1);
            for (int i = 0; i < 200; i++) {
                w.add(row(i, r));
            }
            assertThat(listParquet()).isNotEmpty();
            Object[] bad = row(1, r);
            bad[0] = null;
            assertThatThrownBy(() -> w.add(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'uid' is NOT NULL");
        }
        assertThat(listParquet()).isEmpty();
    }

    private List<Path> listParquet() throws Exception {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".parquet")).toList();
        }
    }
}
