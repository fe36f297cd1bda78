package org.medlake.ingest;

import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.medlake.lake.LakeLayout;

/**
 * Builds the SparkSession the lake's jobs use (Delta SQL extension and catalog, UI off, few shuffle partitions,
 * UTC session time zone) and registers the lake's tables as temp views.
 *
 * <p>The master is {@code local[*]} unless the environment variable {@code MEDLAKE_SPARK_MASTER} says otherwise.
 */
public final class LakeSpark {
    /** Environment variable overriding the Spark master. */
    public static final String MASTER_ENV = "MEDLAKE_SPARK_MASTER";
    private static final Pattern VIEW_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private LakeSpark() {}

    /** System property set by the {@code --master} command-line option; wins over {@link #MASTER_ENV}. */
    public static final String MASTER_PROPERTY = "medlake.spark.master";

    /** The configured master: {@code --master}, else {@code $MEDLAKE_SPARK_MASTER}, else {@code local[*]}. */
    public static String master() {
        String m = System.getProperty(MASTER_PROPERTY, System.getenv(MASTER_ENV));
        return m == null || m.isBlank() ? "local[*]" : m.trim();
    }

    /** A builder with every lake setting applied; callers may add settings and then {@code getOrCreate()}. */
    public static SparkSession.Builder builder(String appName) {
        String master = master();
        SparkSession.Builder b = SparkSession.builder()
                .appName(appName)
                .master(master)
                .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
                .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.default.parallelism", master.startsWith("local") ? "4" : "16")
                .config("spark.sql.session.timeZone", "UTC")
                // Kryo: the ingest caches its outcome rows serialized, and Java serialization of them is slow.
                .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .config("spark.sql.jsonGenerator.ignoreNullFields", "false")
                .config("spark.databricks.delta.snapshotPartitions", "2")
                .config("spark.sql.debug.maxToStringFields", "200");
        if (master.startsWith("local") || master.startsWith("spark://127.0.0.1") || master.startsWith("spark://localhost")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b;
    }

    /** {@code builder(appName).getOrCreate()}. */
    public static SparkSession session(String appName) {
        return builder(appName).getOrCreate();
    }

    /**
     * Registers every Delta table under {@code LAKE/tables/} as a temp view named after its folder (folders whose
     * names are not SQL identifiers are skipped) and returns the names, sorted.
     */
    public static List<String> registerTables(SparkSession spark, LakeLayout lake) {
        Path tables = lake.root().resolve("tables");
        List<String> names = new ArrayList<>();
        if (!Files.isDirectory(tables)) {
            return names;
        }
        try (Stream<Path> dirs = Files.list(tables)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (!VIEW_NAME.matcher(name).matches() || !Files.isDirectory(dir.resolve("_delta_log"))) {
                    continue;
                }
                spark.read().format("delta").load(lake.tableUri(name)).createOrReplaceTempView(name);
                names.add(name);
            }
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot list the lake's tables in " + tables
                    + ": " + e + ". Check that the lake folder is readable.", e);
        }
        return names;
    }

    /**
     * The session's {@code spark.hadoop.fs.*} settings (e.g. an S3 endpoint) as Hadoop {@code fs.*} keys: executors
     * build their own Hadoop configuration, so jobs that open files there must hand these over.
     */
    public static java.util.Map<String, String> fsSettings(SparkSession spark) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (scala.Tuple2<String, String> kv : spark.sparkContext().getConf().getAllWithPrefix("spark.hadoop.fs.")) {
            out.put("fs." + kv._1(), kv._2());
        }
        return out;
    }

    /** Whether the lake has the Delta table {@code name}. */
    public static boolean hasTable(SparkSession spark, LakeLayout lake, String name) {
        return Files.isDirectory(lake.table(name).resolve("_delta_log")) && DeltaTable.isDeltaTable(spark, lake.tableUri(name));
    }
}
