package org.medlake.ingest;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/** Small shared helpers of the command-line entry points. */
final class Cli {
    private Cli() {}

    /** Thrown for bad arguments; the CLI prints the message and the usage and exits with 2. */
    static final class UsageException extends IngestException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(ErrorCode.INGEST_BAD_ARGUMENT, message);
        }
    }

    /** Parses arguments; returns {@code null} for {@code --help}. */
    interface Parser<O> {
        O parse(String[] args);
    }

    /** Runs parsed options on a session; returns the exit code. */
    interface Executor<O> {
        int execute(SparkSession spark, O options, PrintStream out, PrintStream err);
    }

    /**
     * The shared shape of the Spark commands: parse (usage errors exit 2, {@code --help} prints the usage), and
     * only then get a session and execute. A session obtained from {@code session} is stopped afterwards when
     * {@code stopSession} is set.
     */
    static <O> int run(String name, String usage, Parser<O> parser, Executor<O> executor,
                       Supplier<SparkSession> session, boolean stopSession, String[] args,
                       PrintStream out, PrintStream err) {
        O options;
        try {
            options = parser.parse(args);
        } catch (UsageException e) {
            err.println(name + ": " + e.getMessage() + "\n" + usage);
            return 2;
        }
        if (options == null) {
            out.println(usage);
            return 0;
        }
        SparkSession spark = session.get();
        try {
            return executor.execute(spark, options, out, err);
        } finally {
            if (stopSession) {
                spark.stop();
            }
        }
    }

    static String value(String[] args, int i, String option) {
        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args[i + 1];
    }

    /** Text progress bar on stderr: redrawn in place on a terminal, a line per 25% otherwise. */
    static IngestJob.Progress progressBar(PrintStream err) {
        boolean tty = System.console() != null;
        return new IngestJob.Progress() {
            private int lastQuarter = -1;

            @Override
            public void onFiles(long done, long total) {
                if (total <= 0) return;
                int width = 30;
                int filled = (int) (width * done / total);
                String line = String.format(Locale.ROOT, "ingest [%s%s] %d/%d files", "#".repeat(filled),
                        ".".repeat(width - filled), done, total);
                if (tty) {
                    err.print("\r" + line + (done >= total ? "\n" : ""));
                    err.flush();
                } else {
                    int quarter = (int) (4 * done / total);
                    if (quarter != lastQuarter) {
                        err.println(line);
                        lastQuarter = quarter;
                    }
                }
            }
        };
    }

    /** Minimal JSON string literal. */
    static String jsonString(String s) {
        if (s == null) return "null";
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
