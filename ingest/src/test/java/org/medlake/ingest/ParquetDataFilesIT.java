package org.medlake.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data files from {@link ParquetDataFiles}, committed with Delta Kernel, read by Spark's Delta reader (its
 * vectorized Parquet reader): the values Spark returns are the ones written, and Spark's data skipping over the
 * written statistics keeps every matching row.
 */
class ParquetDataFilesIT {
    @TempDir
    static Path tmp;
    static SparkSession spark;

    @BeforeAll
    static void setUp() {
        spark = LakeSpark.builder("parquet-data-files-it").master("local[2]").getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void sparkReadsEveryValueAndSkipsFilesByTheStatistics() throws Exception {
        Engine engine = DefaultEngine.create(new Configuration());
        Path table = tmp.resolve("t");
        Random r = new Random(11);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            rows.add(ParquetDataFilesTest.row(i, r));
        }
        // Two commits, so that there are several files to skip among.
        KernelTables.append(engine, table, ParquetDataFilesTest.SCHEMA,
                Map.of("delta.dataSkippingNumIndexedCols", "6"), rows.subList(0, 1500));
        KernelTables.append(engine, table, ParquetDataFilesTest.SCHEMA, Map.of(), rows.subList(1500, 3000));

        List<Row> read = spark.read().format("delta").load(table.toString()).orderBy("uid").collectAsList();
        assertThat(read).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(fromSpark(read.get(i))).as("row %d", i).containsExactly(rows.get(i));
        }
        long matching = rows.stream().filter(x -> "1.2.840.002999".compareTo((String) x[0]) <= 0).count();
        assertThat(spark.read().format("delta").load(table.toString()).where("uid >= '1.2.840.002999'").count())
                .isEqualTo(matching).isEqualTo(1);
        assertThat(spark.read().format("delta").load(table.toString()).where("n IS NULL").count())
                .isEqualTo(rows.stream().filter(x -> x[2] == null).count());
    }

    /** A Spark row as the plain Java values {@link ParquetDataFiles} takes. */
    private static Object[] fromSpark(Row row) {
        Object[] out = new Object[row.length()];
        for (int c = 0; c < row.length(); c++) {
            Object v = row.isNullAt(c) ? null : row.get(c);
            if (v instanceof Date d) {
                v = d.toLocalDate();
            } else if (v instanceof LocalDate) {
                // as is
            } else if (v instanceof Timestamp t) {
                v = t.toInstant();
            } else if (v instanceof Instant) {
                // as is
            } else if (v instanceof scala.collection.Seq<?> seq) {
                v = new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(seq));
            }
            out[c] = v;
        }
        return out;
    }
}
