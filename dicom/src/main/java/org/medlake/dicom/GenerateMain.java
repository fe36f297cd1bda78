package org.medlake.dicom;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the synthetic demo data set: {@code generate --out DIR [--patients N]} (default 3 patients, each with
 * one CT and two MR series). Prints a one-line summary. Exit codes: 0 ok, 2 bad arguments, 1 failure.
 */
public final class GenerateMain {
    private static final String USAGE = "usage: generate --out DIR [--patients N]\n"
            + "  Writes synthetic DICOM series (per patient: 1 CT, 1 T1w sagittal MR, 1 DWI MR) under DIR.";

    private GenerateMain() {}

    public static void main(String[] args) {
        // PixelMed's Debian manifest drags an slf4j 1.7 binding onto the class path; keep slf4j's notice about it quiet.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code (for tests and the launcher). */
    public static int run(String[] args) {
        Path out = null;
        int patients = 3;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                case "--out" -> {
                    if (i + 1 >= args.length) return usage("--out needs a folder");
                    out = Path.of(args[++i]);
                }
                case "--patients" -> {
                    if (i + 1 >= args.length) return usage("--patients needs a number");
                    try {
                        patients = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        return usage("--patients must be a whole number, got '" + args[i] + "'");
                    }
                    if (patients < 1 || patients > 10_000) return usage("--patients must be between 1 and 10000");
                }
                default -> {
                    return usage("unknown argument '" + a + "'");
                }
            }
        }
        if (out == null) return usage("--out is required");
        try {
            SyntheticSeries.DemoSet set = SyntheticSeries.writeDemoSet(out, patients);
            System.out.printf(Locale.ROOT, "wrote %d DICOM files in %d series for %d patients under %s%n",
                    set.instanceCount(), set.series().size(), patients, out.toAbsolutePath());
            return 0;
        } catch (DicomException e) {
            System.err.println("generate: " + e.getMessage());
            return e.category() == ErrorCode.Category.USER_ERROR ? 2 : 1;
        }
    }

    private static int usage(String problem) {
        System.err.println("generate: " + problem + "\n" + USAGE);
        return 2;
    }
}
