package org.medlake.ingest.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.medlake.dicom.DicomReader;
import org.medlake.dicom.SyntheticSeries;

/**
 * {@code ./medlake bench ingest [--files N] [--dir DIR] [--lake DIR] [--json]}: writes N small synthetic instances
 * once (reused on later runs), then measures, on the same files, (a) {@code cat} of all their bytes, (b) the
 * {@code ./medlake ingest} command end to end as a user runs it (JVM start included) into a fresh lake, (c) the
 * header parse alone in this JVM (one thread and all cores), and (d) pydicom's
 * {@code dcmread(f, stop_before_pixels=True)} in one Python process when pydicom is available. Prints a table;
 * with {@code --json} the last line is
 * {@code {"files":N,"ingest_instances_s":x,"cat_files_s":y,"ratio_to_cat":x/y,"pydicom_instances_s":z,"ratio_to_pydicom":x/z,"parse_only_instances_s":p}}.
 */
public final class BenchIngestMain {
    static final String USAGE = String.join("\n",
            "usage: bench ingest [--files N] [--dir DIR] [--lake DIR] [--json]",
            "  --files N   synthetic instances to ingest (default 50000)",
            "  --dir DIR   where the instances are written once and reused (default $MEDLAKE_HOME/bench/files-N)",
            "  --lake DIR  lake to ingest into; emptied first (default $MEDLAKE_HOME/bench/lake)",
            "  --json      print the figures as one JSON object on the last stdout line");
    private static final int SERIES_SIZE = 50;

    record Options(int files, Path dir, Path lake, boolean json) {}

    record Figures(int files, long bytes, double catSeconds, double ingestSeconds, long ingestInstances,
                   double parseSeconds1, double parseSecondsAll, int threads, Double pydicomSeconds, String ingestJson) {
        double rate(double seconds) {
            return seconds > 0 ? files / seconds : 0;
        }

        double ingestRate() {
            return ingestSeconds > 0 ? ingestInstances / ingestSeconds : 0;
        }
    }

    private BenchIngestMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        if (o == null) {
            out.println(USAGE);
            return 0;
        }
        try {
            Figures f = bench(o, err);
            print(f, out);
            if (o.json()) {
                out.println(json(f));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("bench: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    static Options parse(String[] args) {
        int files = 50_000;
        String dir = null;
        String lake = null;
        boolean json = false;
        List<String> rest = new ArrayList<>(List.of(args));
        if (!rest.isEmpty() && rest.get(0).equals("ingest")) {
            rest.remove(0);
        }
        for (int i = 0; i < rest.size(); i++) {
            String a = rest.get(i);
            switch (a) {
                case "-h", "--help" -> {
                    return null;
                }
                case "--files" -> {
                    try {
                        files = Integer.parseInt(value(rest, i++, a));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--files needs a whole number");
                    }
                    if (files < 1) throw new IllegalArgumentException("--files must be at least 1");
                }
                case "--dir" -> dir = value(rest, i++, a);
                case "--lake" -> lake = value(rest, i++, a);
                case "--json" -> json = true;
                default -> throw new IllegalArgumentException("unknown argument '" + a + "'");
            }
        }
        Path home = Path.of(System.getenv().getOrDefault("MEDLAKE_HOME", System.getProperty("user.home") + "/.medlake"));
        return new Options(files, dir != null ? Path.of(dir) : home.resolve("bench").resolve("files-" + files),
                lake != null ? Path.of(lake) : home.resolve("bench").resolve("lake"), json);
    }

    private static String value(List<String> args, int i, String option) {
        if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i + 1);
    }

    static Figures bench(Options o, PrintStream err) throws IOException, InterruptedException {
        Path root = repoRoot();
        generate(o.dir(), o.files(), err);
        List<Path> files = listFiles(o.dir());
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        if (files.size() != o.files()) {
            throw new IllegalStateException(o.dir() + " holds " + files.size() + " files, expected " + o.files()
                    + ". Delete it (or its marker " + marker(o.dir()) + ") and run again.");
        }

        err.println("bench: [a] cat of " + files.size() + " files (" + bytes / (1024 * 1024) + " MiB), cold then warm");
        String cat = "find " + shellQuote(o.dir().toString()) + " -type f -print0 | xargs -0 cat > /dev/null";
        timed(List.of("bash", "-c", cat), root, err);
        double catSeconds = timed(List.of("bash", "-c", cat), root, err).seconds;

        err.println("bench: [b] ./medlake ingest into a fresh lake " + o.lake());
        deleteTree(o.lake());
        // a first call builds the project if sources changed, so the timed run measures the ingest alone
        timed(List.of(root.resolve("medlake").toString(), "ingest", "--help"), root, err);
        Run ingest = timed(List.of(root.resolve("medlake").toString(), "ingest", o.dir().toString(), "--lake",
                o.lake().toString(), "--json"), root, err);
        if (ingest.exit != 0) {
            throw new IllegalStateException("./medlake ingest failed with exit code " + ingest.exit + ":\n" + ingest.tail());
        }
        String ingestJson = ingest.lastLine();
        long instances = jsonLong(ingestJson, "instances_added", jsonLong(ingestJson, "instances", -1));
        if (instances < 0) {
            instances = files.size();
        }

        err.println("bench: [c] header parse only, in process (after a JIT warm-up pass)");
        parseAll(files.subList(0, Math.min(files.size(), 5000)), 1);
        double parse1 = parseAll(files, 1);
        int threads = Runtime.getRuntime().availableProcessors();
        double parseN = parseAll(files, threads);

        Double pydicom = pydicom(files, err);
        return new Figures(files.size(), bytes, catSeconds, ingest.seconds, instances, parse1, parseN, threads, pydicom,
                ingestJson);
    }

    static void print(Figures f, PrintStream out) {
        double mib = f.bytes() / (1024.0 * 1024.0);
        double ingest = f.ingestRate();
        double cat = f.rate(f.catSeconds());
        out.printf(Locale.ROOT, "%nmedlake bench ingest: %d files, %.1f MiB (%.1f KiB/file)%n", f.files(), mib,
                f.bytes() / 1024.0 / f.files());
        out.printf(Locale.ROOT, "  %-44s %10s %12s %10s %12s%n", "measure", "seconds", "files/s", "MB/s", "vs ingest");
        row(out, "cat (warm page cache)", f.catSeconds(), cat, f.bytes(), ingest);
        row(out, "./medlake ingest (end to end, JVM start incl.)", f.ingestSeconds(), ingest, f.bytes(), ingest);
        row(out, "header parse only (warm JIT), 1 thread", f.parseSeconds1(), f.rate(f.parseSeconds1()), f.bytes(), ingest);
        row(out, "header parse only, " + f.threads() + " threads", f.parseSecondsAll(), f.rate(f.parseSecondsAll()),
                f.bytes(), ingest);
        if (f.pydicomSeconds() != null) {
            row(out, "pydicom dcmread(stop_before_pixels), 1 proc", f.pydicomSeconds(), f.rate(f.pydicomSeconds()),
                    f.bytes(), ingest);
        } else {
            out.println("  pydicom: not available (apt-get install -y python3-pydicom)");
        }
        out.printf(Locale.ROOT, "  ingest reported: %s%n", f.ingestJson());
    }

    private static void row(PrintStream out, String name, double seconds, double filesPerSecond, long bytes, double ingest) {
        out.printf(Locale.ROOT, "  %-44s %10.2f %12.0f %10.1f %12s%n", name, seconds, filesPerSecond,
                seconds > 0 ? bytes / 1e6 / seconds : 0, ingest > 0 ? String.format(Locale.ROOT, "%.2fx", filesPerSecond / ingest) : "-");
    }

    static String json(Figures f) {
        Map<String, Object> m = new LinkedHashMap<>();
        double ingest = f.ingestRate();
        double cat = f.rate(f.catSeconds());
        m.put("files", f.files());
        m.put("ingest_instances_s", round(ingest));
        m.put("cat_files_s", round(cat));
        m.put("ratio_to_cat", cat > 0 ? round4(ingest / cat) : null);
        Double py = f.pydicomSeconds() == null ? null : f.rate(f.pydicomSeconds());
        m.put("pydicom_instances_s", py == null ? null : round(py));
        m.put("ratio_to_pydicom", py == null || py == 0 ? null : round4(ingest / py));
        m.put("parse_only_instances_s", round(f.rate(f.parseSeconds1())));
        m.put("parse_only_all_cores_instances_s", round(f.rate(f.parseSecondsAll())));
        m.put("cat_mb_s", round(f.catSeconds() > 0 ? f.bytes() / 1e6 / f.catSeconds() : 0));
        m.put("ingest_seconds", round4(f.ingestSeconds()));
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return sb.append('}').toString();
    }

    private static double round(double d) {
        return Math.round(d * 10) / 10.0;
    }

    private static double round4(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    // --- generation ------------------------------------------------------------------------------------------------

    static Path marker(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".complete");
    }

    /**
     * Writes {@code n} instances into {@code dir} unless its marker (a sibling file, so the ingest does not see it)
     * says they are there: series of {@value #SERIES_SIZE} 64x64 slices cycling CT, T1 MR and DWI MR, ten series
     * per patient.
     */
    static void generate(Path dir, int n, PrintStream err) throws IOException {
        Path marker = marker(dir);
        if (Files.exists(marker) && Files.readString(marker).trim().equals(Integer.toString(n))) {
            err.println("bench: reusing " + n + " instances in " + dir);
            return;
        }
        deleteTree(dir);
        Files.deleteIfExists(marker);
        Files.createDirectories(dir);
        err.println("bench: writing " + n + " synthetic instances into " + dir);
        long t0 = System.nanoTime();
        int written = 0;
        int series = 0;
        while (written < n) {
            int left = n - written;
            SyntheticSeries.Patient p = SyntheticSeries.patient(String.format(Locale.ROOT, "BENCH-%05d", series / 10),
                    series % 2 == 0 ? "F" : "M", 30 + series % 50);
            Path sdir = dir.resolve(p.id()).resolve(String.format(Locale.ROOT, "S%06d", series));
            SyntheticSeries.Kind kind = SyntheticSeries.Kind.values()[series % 3];
            SyntheticSeries.Builder b;
            if (kind == SyntheticSeries.Kind.MR_DWI && left >= 2) {
                b = SyntheticSeries.mrDwi(p).slices(Math.min(SERIES_SIZE, left) / 2);
            } else if (kind == SyntheticSeries.Kind.CT) {
                b = SyntheticSeries.ct(p).slices(Math.min(SERIES_SIZE, left));
            } else {
                b = SyntheticSeries.mrT1(p).slices(Math.min(SERIES_SIZE, left));
            }
            written += b.seriesNumber(series + 1).writeTo(sdir).files().size();
            series++;
            if (series % 40 == 0 || written == n) {
                double s = (System.nanoTime() - t0) / 1e9;
                err.printf(Locale.ROOT, "bench: generated %d/%d instances (%.0f/s)%n", written, n, written / s);
            }
        }
        Files.writeString(marker, Integer.toString(n));
    }

    static List<Path> listFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    // --- measures ---------------------------------------------------------------------------------------------------

    static double parseAll(List<Path> files, int threads) {
        long t0 = System.nanoTime();
        AtomicLong failures = new AtomicLong();
        Runnable work = () -> IntStream.range(0, files.size()).parallel().forEach(i -> {
            try {
                DicomReader.read(files.get(i));
            } catch (RuntimeException e) {
                failures.incrementAndGet();
            }
        });
        if (threads <= 1) {
            for (Path f : files) {
                try {
                    DicomReader.read(f);
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                }
            }
        } else {
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
            try {
                pool.submit(work).join();
            } finally {
                pool.shutdown();
            }
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " files failed to parse");
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** pydicom's header-only read in one process, or null when pydicom is not available. */
    static Double pydicom(List<Path> files, PrintStream err) throws IOException, InterruptedException {
        String python = findPydicom();
        if (python == null && isRoot() && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            err.println("bench: [d] installing python3-pydicom (apt-get, running as root)");
            run(List.of("apt-get", "install", "-y", "-q", "python3-pydicom"), null, 600);
            python = findPydicom();
        }
        if (python == null) {
            err.println("bench: [d] pydicom not available; skipped (apt-get install -y python3-pydicom)");
            return null;
        }
        err.println("bench: [d] pydicom dcmread(stop_before_pixels=True) with " + python);
        Path list = Files.createTempFile("medlake-bench", ".txt");
        try {
            Files.write(list, files.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
            String script = String.join("\n",
                    "import sys, time, pydicom",
                    "paths = open(sys.argv[1]).read().split('\\n')",
                    "paths = [p for p in paths if p]",
                    "t = time.perf_counter()",
                    "for p in paths:",
                    "    pydicom.dcmread(p, stop_before_pixels=True)",
                    "print('%d %.6f' % (len(paths), time.perf_counter() - t))");
            Run r = run(List.of(python, "-c", script, list.toString()), null, 3600);
            if (r.exit != 0) {
                err.println("bench: [d] pydicom failed: " + r.tail());
                return null;
            }
            String[] parts = r.lastLine().trim().split(" ");
            return Double.parseDouble(parts[1]);
        } finally {
            Files.deleteIfExists(list);
        }
    }

    private static String findPydicom() throws IOException, InterruptedException {
        for (String python : List.of("python3", "/usr/bin/python3")) {
            try {
                if (run(List.of(python, "-c", "import pydicom"), null, 60).exit == 0) {
                    return python;
                }
            } catch (IOException e) {
                // not installed
            }
        }
        return null;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    record Run(int exit, double seconds, String stdout, String stderr) {
        String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1];
        }

        String tail() {
            String all = stdout + "\n" + stderr;
            return all.length() > 3000 ? all.substring(all.length() - 3000) : all;
        }
    }

    private static Run timed(List<String> command, Path dir, PrintStream err) throws IOException, InterruptedException {
        Run r = run(command, dir, 24 * 3600);
        err.printf(Locale.ROOT, "bench:   %.2f s  %s%n", r.seconds, String.join(" ", command));
        return r;
    }

    private static Run run(List<String> command, Path dir, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        if (dir != null) pb.directory(dir.toFile());
        Path out = Files.createTempFile("medlake-bench", ".out");
        Path errFile = Files.createTempFile("medlake-bench", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(errFile.toFile());
            long t0 = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Run(p.exitValue(), seconds, Files.readString(out), Files.readString(errFile));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(errFile);
        }
    }

    /** The folder holding the {@code medlake} launcher: system property {@code medlake.repo.root}, else walk up. */
    static Path repoRoot() {
        String prop = System.getProperty("medlake.repo.root");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("medlake")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        try {
            Path code = Path.of(BenchIngestMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = code; p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("medlake")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                    return p;
                }
            }
        } catch (java.net.URISyntaxException | RuntimeException e) {
            // fall through
        }
        throw new IllegalStateException("cannot find the medlake launcher: run from the repository or pass "
                + "-Dmedlake.repo.root=DIR");
    }

    static long jsonLong(String json, String key, long otherwise) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : otherwise;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
