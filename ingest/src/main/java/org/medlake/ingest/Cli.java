package org.medlake.ingest;

import java.io.PrintStream;
import java.util.Locale;

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
