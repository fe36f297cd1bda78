package org.medlake.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.to_json;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.medlake.lake.LakeLayout;

/**
 * {@code sql --lake DIR [--json] "SELECT ..."}: registers every table under {@code LAKE/tables/} as a temp view
 * named after its folder and prints the result, as an aligned table or (with {@code --json}) one JSON object per
 * row. Exit codes: 0 ok, 2 bad arguments or SQL errors, 1 other failures.
 */
public final class SqlMain {
    static final String USAGE = String.join("\n",
            "usage: sql --lake DIR [--json] \"SELECT ...\"",
            "  Runs Spark SQL over the lake; tables (instances, quarantine, ingest_runs, ...) are views by folder name.",
            "  --json  one JSON object per row instead of a table");

    private SqlMain() {}

    record Options(Path lake, boolean json, String query) {}

    public static void main(String[] args) {
        System.exit(Cli.run("sql", USAGE, SqlMain::parse, SqlMain::execute, () -> LakeSpark.session("medlake-sql"), true,
                args, System.out, System.err));
    }

    /** Parses and runs with an existing session; returns the exit code. */
    public static int run(SparkSession spark, String[] args, PrintStream out, PrintStream err) {
        return Cli.run("sql", USAGE, SqlMain::parse, SqlMain::execute, () -> spark, false, args, out, err);
    }

    static Options parse(String[] args) {
        String lake = null;
        boolean json = false;
        List<String> query = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--lake" -> lake = Cli.value(args, i++, a);
                case "--json" -> json = true;
                default -> {
                    if (a.startsWith("--")) {
                        throw new Cli.UsageException("unknown option '" + a + "'");
                    }
                    query.add(a);
                }
            }
        }
        if (lake == null) {
            throw new Cli.UsageException("--lake DIR is required");
        }
        if (query.isEmpty() || String.join(" ", query).isBlank()) {
            throw new Cli.UsageException("a SQL query is required");
        }
        return new Options(Path.of(lake), json, String.join(" ", query));
    }

    static int execute(SparkSession spark, Options o, PrintStream out, PrintStream err) {
        if (!Files.isDirectory(o.lake())) {
            err.println("sql: lake folder " + o.lake() + " does not exist. Fix: pass the --lake used for ingest.");
            return 2;
        }
        List<String> tables;
        try {
            tables = LakeSpark.registerTables(spark, LakeLayout.at(o.lake()));
        } catch (IngestException e) {
            err.println("sql: " + e.getMessage());
            return e.code().exitCode();
        }
        try {
            Dataset<Row> df = spark.sql(o.query());
            if (o.json()) {
                for (String line : df.toJSON().collectAsList()) {
                    out.println(line);
                }
            } else {
                printTable(df, out);
            }
            out.flush();
            return 0;
        } catch (Exception e) { // AnalysisException/ParseException are checked in Scala's view only
            if (isSqlError(e)) {
                String msg = String.valueOf(e.getMessage()).strip();
                err.println("sql: the query failed: " + msg + "\nTables in " + o.lake() + ": "
                        + (tables.isEmpty() ? "(none; run ingest first)" : String.join(", ", tables))
                        + ". Fix the query and run again.");
                return 2;
            }
            err.println("sql: Spark failed to run the query: " + e + ". Check the lake folder and try again.");
            return 1;
        }
    }

    private static boolean isSqlError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.apache.spark.sql.AnalysisException
                    || t instanceof org.apache.spark.SparkThrowable
                    || t instanceof ArithmeticException || t instanceof NumberFormatException
                    || t instanceof java.time.DateTimeException) {
                return true;
            }
        }
        return false;
    }

    private static void printTable(Dataset<Row> df, PrintStream out) {
        StructType schema = df.schema();
        String[] names = schema.fieldNames();
        String[] positional = new String[names.length];
        Column[] asText = new Column[names.length];
        for (int i = 0; i < names.length; i++) {
            positional[i] = "_c" + i;
        }
        Dataset<Row> renamed = df.toDF(positional);
        for (int i = 0; i < names.length; i++) {
            StructField f = schema.fields()[i];
            boolean complex = f.dataType() instanceof StructType || f.dataType() instanceof ArrayType
                    || f.dataType() instanceof MapType;
            asText[i] = complex ? to_json(col(positional[i])) : col(positional[i]).cast("string");
        }
        List<Row> rows = renamed.select(asText).collectAsList();
        int[] width = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            width[i] = names[i].length();
        }
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows) {
            String[] c = new String[names.length];
            for (int i = 0; i < names.length; i++) {
                c[i] = r.isNullAt(i) ? "NULL" : r.getString(i).replace('\n', ' ');
                width[i] = Math.min(80, Math.max(width[i], c[i].length()));
            }
            cells.add(c);
        }
        out.println(line(names, width));
        StringBuilder sep = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            sep.append(i == 0 ? "" : "-+-").append("-".repeat(width[i]));
        }
        out.println(sep);
        for (String[] c : cells) {
            out.println(line(c, width));
        }
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i].length() > width[i] ? cells[i].substring(0, width[i] - 1) + "~" : cells[i];
            b.append(i == 0 ? "" : " | ").append(c).append(" ".repeat(width[i] - c.length()));
        }
        return b.toString().stripTrailing();
    }
}
